"""The public face of the letter: a live web page and the same pages as a static site."""

from adapters.web.publish import NotASite, PublishedSite, Publisher, publish_site
from adapters.web.server import WebAdapter, sign_links

__all__ = ["NotASite", "PublishedSite", "Publisher", "WebAdapter", "publish_site", "sign_links"]
