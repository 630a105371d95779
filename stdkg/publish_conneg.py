"""Content negotiation: the one table of representations, the Accept-header choice used by
``stdkg serve --site``, and the rules for nginx and Apache written beside the site.

Every resource at site path ``P`` has ``P.html``, ``P.ttl`` and ``P.jsonld``; a request for
``P`` gets the one its Accept header prefers (HTML when nothing else is preferred).
"""

from __future__ import annotations

REPRESENTATIONS: dict[str, str] = {  # media type → file suffix, in order of preference at equal q
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/turtle": ".ttl",
    "application/x-turtle": ".ttl",
    "application/ld+json": ".jsonld",
    "application/json": ".jsonld",
}
MEDIA_TYPES: dict[str, str] = {".html": "text/html; charset=utf-8", ".ttl": "text/turtle; charset=utf-8",
                               ".jsonld": "application/ld+json", ".nt": "application/n-triples",
                               ".gz": "application/gzip", ".css": "text/css; charset=utf-8",
                               ".js": "text/javascript; charset=utf-8", ".json": "application/json",
                               ".txt": "text/plain; charset=utf-8", ".md": "text/markdown; charset=utf-8",
                               ".png": "image/png", ".svg": "image/svg+xml", ".xml": "application/xml"}


def choose(accept: str | None) -> str:
    """The file suffix the Accept header prefers among html, ttl and jsonld (RFC 9110 q-values;
    exact types beat wildcards; ties go to the order of REPRESENTATIONS)."""
    if not accept:
        return ".html"
    best: tuple[float, int, int, str] | None = None
    for position, item in enumerate(accept.split(",")):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        if media in REPRESENTATIONS:
            candidates = [(media, 2)]
        elif media in ("*/*", "text/*", "application/*"):
            prefix = media.split("/")[0]
            candidates = [(m, 0) for m in REPRESENTATIONS if media == "*/*" or m.startswith(prefix + "/")]
        else:
            continue
        for candidate, specificity in candidates:
            order = list(REPRESENTATIONS).index(candidate)
            key = (q, specificity, -order, REPRESENTATIONS[candidate])
            if best is None or key[:3] > best[:3]:
                best = key
    return best[3] if best else ".html"


NGINX = r"""# stdkg: content negotiation for the published site (nginx).
# 1. In the http { } block:
map $http_accept $stdkg_suffix {
    default                      ".html";
    "~*text/html"                ".html";
    "~*application/xhtml\+xml"   ".html";
    "~*text/turtle"              ".ttl";
    "~*application/ld\+json"     ".jsonld";
    "~*application/json"         ".jsonld";
}
# 2. In the server { } block that serves the site:
#    root /srv/stdkg-site;
#    include /path/to/site/conneg/nginx-server.conf;
"""

NGINX_SERVER = r"""# stdkg: the server { } part of the content negotiation (see nginx.conf beside this file).
# These types replace nginx's defaults inside this server: the site needs no others.
types {
    text/html              html;
    text/css               css;
    text/javascript        js;
    application/json       json;
    application/ld+json    jsonld;
    text/turtle            ttl;
    application/n-triples  nt;
    application/gzip       gz;
    image/png              png;
    image/svg+xml          svg;
    text/markdown          md;
}
default_type text/plain;
charset utf-8;
charset_types text/html text/css text/javascript text/turtle text/plain text/markdown;
index index.html;
location = /.well-known/void {
    default_type text/turtle;
}
# Hidden files (.htaccess, the site marker .stdkg-site.json) are not part of the site.
location ~ /\. {
    return 404;
}
location / {
    add_header Vary Accept always;
    # /standard/GB-T-28220-2023 → .html, .ttl or .jsonld by Accept; files as they are.
    try_files $uri$stdkg_suffix $uri $uri/ =404;
}
"""

APACHE = r"""# stdkg: content negotiation for the published site (Apache httpd, mod_rewrite + mod_headers).
# Put this .htaccess in the site's folder with `AllowOverride FileInfo Indexes Options=MultiViews`
# (Apache refuses the whole file, 500 on every page, when one of its lines is not allowed),
# or copy the lines into the vhost's <Directory>.
# MultiViews would negotiate by itself among bps.html/bps.ttl/bps.jsonld: off.
Options -MultiViews
# /bps is a page (bps.html/.ttl/.jsonld) and also a folder (bps/item/…): without this,
# mod_dir answers 301 to /bps/ before the rules below choose the page.
DirectorySlash Off
AddType text/turtle .ttl
AddType application/ld+json .jsonld
AddType application/n-triples .nt
AddType application/gzip .gz
AddDefaultCharset utf-8
AddCharset utf-8 .ttl .html .css .js
Header append Vary Accept
RewriteEngine On
# Hidden files (.htaccess, the site marker .stdkg-site.json) are not part of the site; .well-known/ is.
RewriteRule (^|/)\.(?!well-known/) - [R=404,L]
# The VoID description has no suffix to take its media type from.
RewriteRule ^\.well-known/void$ - [T=text/turtle;charset=utf-8,L]
# Turtle or JSON-LD when asked for and HTML is not; HTML otherwise.
RewriteCond %{HTTP_ACCEPT} text/turtle
RewriteCond %{HTTP_ACCEPT} !text/html
RewriteCond %{REQUEST_FILENAME}.ttl -f
RewriteRule ^(.+)$ $1.ttl [L]
RewriteCond %{HTTP_ACCEPT} application/(ld\+)?json
RewriteCond %{HTTP_ACCEPT} !text/html
RewriteCond %{REQUEST_FILENAME}.jsonld -f
RewriteRule ^(.+)$ $1.jsonld [L]
RewriteCond %{REQUEST_FILENAME} !-f
RewriteCond %{REQUEST_FILENAME}.html -f
RewriteRule ^(.+)$ $1.html [L]
"""
