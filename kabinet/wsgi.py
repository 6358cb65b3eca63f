import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kabinet.settings")
# This process serves pages: its kept database connections prepare the statements they are
# asked again and again (kabinet.settings); workers and commands do not.
os.environ["KABINET_WEB_PROCESS"] = "1"
application = get_wsgi_application()
