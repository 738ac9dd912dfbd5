# Broadsheet's front cache (Varnish 7.x).
#   varnishd -a :6081 -f /etc/varnish/default.vcl -s malloc,512m
# The app decides what is shareable: Django marks such pages "Cache-Control: public,
# s-maxage=N" and "X-Edition: <scope>"; publishing sends "BAN /" with "X-Ban-Scope: <scope>"
# (settings.PAGE_CACHE_FRONT_PROXIES). Anything else goes through uncached.
vcl 4.1;

import std;

backend django {
    # gunicorn (deploy/gunicorn.conf.py). bench/load_pages.py rewrites host and port.
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
    # A sick backend makes Varnish serve stale pages (see grace below) instead of errors.
    .probe = {
        .request = "GET /healthz HTTP/1.1" "Host: localhost" "Connection: close";
        .interval = 5s;
        .timeout = 2s;
        .window = 5;
        .threshold = 3;
        # Healthy from the start: a restarted Varnish serves at once instead of answering
        # 503 until the first probes come back.
        .initial = 3;
    }
}

# Who may BAN/PURGE: the web and task-worker hosts. client.ip must be the real peer: if a TLS
# terminator on this box forwards to Varnish, use the PROXY protocol (hitch, nginx
# proxy_protocol) or have it refuse BAN/PURGE, or every reader would arrive as 127.0.0.1.
acl purgers {
    "localhost";
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        # A scope is a language code or "site"; anything else could smuggle in ban syntax.
        if (req.http.X-Ban-Scope !~ "^[A-Za-z0-9_-]+$") {
            return (synth(400, "X-Ban-Scope missing or malformed"));
        }
        # Only obj.* in the expression, so the ban lurker can drop banned objects in the
        # background instead of every banned object lingering until its next lookup.
        if (std.ban("obj.http.X-Edition == " + req.http.X-Ban-Scope)) {
            return (synth(200, "Banned"));
        }
        return (synth(400, std.ban_error()));
    }
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        return (purge);
    }

    # Only this file sets X-Reader-Cookie, X-Reader-Minted and X-Members (below); a client's
    # are dropped. An include starts from the page request's headers as the client sent them,
    # so X-Members is dropped at every level, and includes read what vcl_recv made of the
    # page's request through req_top.
    if (req.esi_level == 0) {
        unset req.http.X-Reader-Cookie;
        unset req.http.X-Reader-Minted;
    }
    unset req.http.X-Members;

    # Varnish fills the page's <esi:include> holes itself (broadsheet/pagecache/holes.py);
    # set here, never taken from the client.
    set req.http.Surrogate-Capability = {"varnish="ESI/1.0""};

    # API clients, writes, the admin, the load balancer's health check and staff (whose pages
    # carry the admin's tools: Django marks their browser with bs_staff=1 at sign-in) always
    # reach Django, with their cookies.
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)bs_staff=1(;|$)") {
        return (pass);
    }
    if (req.url ~ "^/(admin|django-admin)/" || req.url ~ "^/healthz") {
        return (pass);
    }

    # --- broadsheet.api (docs/api.md) ---
    # The reader's part of the API (/api/v1/<edition>/me/...: bodies through the meter and the
    # slot, "Read here", heartbeats, sign-in) is per reader, counted per request: never
    # cached, passed with the app's installation id header. The rest of /api/v1/ is public:
    # hashed and cached as pages are (s-maxage, X-Edition for the bans of a publish).
    if (req.url ~ "^/api/v1/[^/]+/me/") {
        return (pass);
    }
    # --- end broadsheet.api ---

    # A reader's own hole (the body of a metered or gated article, the sharing warning): never
    # cached, answered by Django with the reader's cookies (their reader id, their session),
    # which the page's request saved in X-Reader-Cookie before dropping them for the lookup.
    if (req.url ~ "^/_holes/private/") {
        if (req.esi_level > 0) {
            unset req.http.Cookie;
            if (req_top.http.X-Reader-Cookie) {
                set req.http.Cookie = req_top.http.X-Reader-Cookie;
            }
        }
        unset req.http.X-Reader-Cookie;
        return (pass);
    }

    # Every page is looked up in the cache, whoever asks. The meter needs to know the reader:
    # one without a well-formed reader id (new, a crawler, a tampered or truncated cookie) gets
    # one minted here, used by this request's holes and set in vcl_deliver. It is a bearer id,
    # not a secret (docs/decisions.md): Django counts it like any other. Signed in or not: a
    # session that turns out dead in the hole is an anonymous reader, metered like any other.
    if (req.esi_level == 0) {
        if (req.http.Cookie ~ "(^|;\s*)bs_reader=[0-9a-z]{16,64}(:[A-Za-z0-9_-]+)?(;|$)") {
            set req.http.X-Reader-Cookie = req.http.Cookie;
        } else {
            set req.http.X-Reader-Minted = "e" +
                std.integer(real=std.random(100000000000000, 900000000000000), fallback=0) +
                "x" + req.xid + "x" +
                std.integer(real=std.random(100000000000000, 900000000000000), fallback=0);
            set req.http.X-Reader-Cookie = "bs_reader=" + req.http.X-Reader-Minted;
            if (req.http.Cookie) {
                set req.http.X-Reader-Cookie = req.http.X-Reader-Cookie + "; " +
                    regsuball(req.http.Cookie, "(^|;\s*)bs_reader=[^;]*", "");
            }
        }
        # A browser with a session gets the members' copy of the page: one for every
        # signed-in reader, its personal parts holes (docs/decisions.md). Django keeps and
        # shares only pages whose view marked them so (anything else comes back private and
        # is never stored); a miss is fetched with this reader's cookies, so that Django sees
        # a signed-in reader (see vcl_backend_fetch).
        if (req.http.Cookie ~ "(^|;\s*)sessionid=") {
            set req.http.X-Members = "1";
        }
    }

    # Analytics and CSRF cookies would split the cache per reader; a shared page needs none
    # (Django does not share a response that sets a cookie, so it never reaches the cache).
    unset req.http.Cookie;

    # A healthy backend: serve a just-expired page while refreshing it. A sick one: up to the
    # object's whole grace (vcl_backend_response), so readers see slightly old news, not a 503.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 10s;
    }
    return (hash);
}

sub vcl_hash {
    # Pages can carry absolute URLs; never serve an http rendering to an https reader.
    hash_data(req.http.X-Forwarded-Proto);
    # The members' copy of a page and the anonymous one are different objects.
    if (req.http.X-Members) {
        hash_data("members");
    }
}

sub vcl_backend_fetch {
    # The saved cookie goes to a reader's own hole, and with the fetch of a members' copy
    # (Django renders it only for a signed-in reader, and then with nothing of theirs in it);
    # never with an anonymous page's fetch.
    if (bereq.http.X-Members && bereq.url !~ "^/_holes/") {
        set bereq.http.Cookie = bereq.http.X-Reader-Cookie;
    }
    if (bereq.url !~ "^/_holes/private/") {
        unset bereq.http.X-Reader-Cookie;
    }
    unset bereq.http.X-Reader-Minted;
}

sub vcl_backend_response {
    # A members' copy was fetched with one reader's cookies, and Django says so ("Vary:
    # Cookie", from the session it read); the copy itself is the same for every member, and
    # the lookup never carries cookies, so the object must not vary on them.
    if (bereq.http.X-Members && beresp.http.X-Page-Cache ~ "^member-" && beresp.http.Vary) {
        set beresp.http.Vary = regsuball(beresp.http.Vary, "(?i)(^|,)\s*Cookie\s*(?=,|$)", "");
        set beresp.http.Vary = regsub(beresp.http.Vary, "^,\s*", "");
        if (beresp.http.Vary == "") {
            unset beresp.http.Vary;
        }
    }
    if (beresp.http.Surrogate-Control ~ "ESI/1.0") {
        unset beresp.http.Surrogate-Control;
        set beresp.do_esi = true;
    }
    # A response that sets a cookie is that reader's (a members' copy fetched with a reader
    # whose session Django just refreshed, say). Not kept; and for a members' copy the "don't
    # wait for this fetch" marker lasts a second only, so the next member's fetch can store it.
    if (beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        if (bereq.http.X-Members) {
            set beresp.ttl = 1s;
        } else {
            set beresp.ttl = 120s;
        }
        return (deliver);
    }
    # Cache only what Django explicitly shares (the page cache's s-maxage) and static files;
    # redirects, 404s and personal pages are not cached at all (no default TTL guesses).
    if (beresp.http.Cache-Control !~ "s-maxage" && bereq.url !~ "^/static/") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # The TTL itself comes from s-maxage (the built-in logic prefers it over max-age).
    set beresp.grace = 6h;
}

sub vcl_deliver {
    # A page assembled with a reader's own fragment is that reader's: no browser or CDN may
    # keep it (Varnish keeps only the shell, whose holes it fills per request).
    if (resp.http.X-Private-Holes) {
        set resp.http.Cache-Control = "private, no-cache, no-store, max-age=0";
        unset resp.http.X-Private-Holes;
        # The reader id minted in vcl_recv, which this page's holes just counted.
        if (req.esi_level == 0 && req.http.X-Reader-Minted) {
            if (req.http.X-Forwarded-Proto == "https") {
                set resp.http.Set-Cookie = "bs_reader=" + req.http.X-Reader-Minted +
                    "; Max-Age=34560000; Path=/; HttpOnly; SameSite=Lax; Secure";
            } else {
                set resp.http.Set-Cookie = "bs_reader=" + req.http.X-Reader-Minted +
                    "; Max-Age=34560000; Path=/; HttpOnly; SameSite=Lax";
            }
        }
    }
    # For people debugging the cache; X-Edition stays on the object for bans.
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
