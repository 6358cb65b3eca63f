from django.contrib import admin

from .models import DisclosureDocument, NewsItem, Page


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "updated_at")
    search_fields = ("title", "body", "slug")
    fields = ("title", "slug", "body", "updated_at")
    readonly_fields = ("updated_at",)

    def get_readonly_fields(self, request, obj=None):
        # The menu links to the fixed pages by slug: a new slug would break the menu.
        if obj is not None and obj.is_fixed:
            return (*self.readonly_fields, "slug")
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_fixed:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(NewsItem)
class NewsItemAdmin(admin.ModelAdmin):
    list_display = ("title", "published_at", "is_published")
    list_filter = ("is_published",)
    search_fields = ("title", "summary", "body")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("title",)}
    fields = ("title", "slug", "published_at", "is_published", "summary", "body")


@admin.register(DisclosureDocument)
class DisclosureDocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "section", "building", "published_at", "is_published")
    list_filter = ("section", "is_published")
    search_fields = ("title", "description", "building")
    date_hierarchy = "published_at"
    fields = ("section", "building", "title", "description", "file", "published_at", "is_published")
