"""A browserless Streamlit client: one websocket session that behaves like the frontend.

Written against Streamlit 1.67's server (``web/server/starlette/starlette_websocket.py``,
``runtime/app_session.py``) and its minified frontend (``static/static/js/index.*.js``):

* The socket is ``ws://HOST/_stcore/stream`` with the subprotocols
  ``["streamlit", <xsrf token or "PLACEHOLDER_AUTH_TOKEN">]`` (a third entry would be the
  previous session id, for a reconnect). Messages are binary protobufs both ways:
  ``BackMsg`` up, ``ForwardMsg`` down. The browser first loads the page's HTML, then
  probes ``/_stcore/health`` and ``/_stcore/host-config``; we do too, keeping the cookies
  they set as a browser does (Streamlit's ``_streamlit_xsrf``, whose value is the token the
  browser offers; a balancer's sticky-session cookie such as scripts/serve.sh's
  ``nnp_replica``), and send them with the socket's handshake.
* Right after the socket opens the browser sends ``rerun_script`` with
  ``page_script_hash=""`` and ``page_name`` = the URL path below the base ("mlp"), the
  query string without "?", its widget states and a ``context_info`` (timezone, locale,
  url, colour scheme). Every later rerun sends the current page's script hash instead
  (learnt from ``navigation`` / ``new_session``) and ``page_name=""``.
* Every rerun carries the state of every widget the frontend has mounted. A widget
  registers itself on mount with its proto's ``default`` (or its current value when the
  server set ``set_value``); the value then only changes on user input or when a new
  proto arrives with ``set_value``. States of widgets no longer in the element tree are
  dropped when a run finishes (``removeInactiveWidgetState`` after ``clearStaleNodes``).
* A button click sets a one-shot ``trigger_value`` for the button's id, flushes a rerun
  (scoped to the button's fragment, if it sits in one) and deletes the trigger.
* ``auto_rerun`` (interval, fragment_id) starts a ``setInterval`` that sends
  ``rerun_script`` with ``fragment_id`` and ``is_auto_rerun`` every interval seconds, no
  matter whether the previous one has finished. An ``auto_rerun`` with the same id and
  interval keeps the running timer. ``stop_auto_rerun`` clears the listed timers; a
  ``new_session`` of a full run (no fragment ids in ``metadata.run``) clears them all.
* Forward-message cache: cacheable messages are kept by hash and advertised in
  ``cached_message_hashes``; the server then answers with ``ref_hash`` messages. Entries
  expire after ``config.max_cached_message_age`` finished runs, as in the frontend.
  ``cache=False`` advertises nothing (the server then always sends full messages).
* Deltas address nodes by ``metadata.delta_path`` = [root container, index, ...]; a
  fragment's deltas address nodes inside the fragment's container. The tree here follows
  the frontend's rules (blocks on the path take the current run id, ``add_block`` of the
  same block type keeps its children, stale nodes are cleared when a run finishes).

No heartbeats: the browser sends ``app_heartbeat`` only when a host page asks for it,
and it sends no websocket pings (it only answers the server's, as ``websockets`` does).
"""
from __future__ import annotations

import asyncio
import json
import time
import urllib.parse

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
from websockets.asyncio.client import connect

FINISHED = ForwardMsg.ScriptFinishedStatus
N_ROOTS = 4              # RootContainer: MAIN, SIDEBAR, EVENT, BOTTOM
_URL_SAFE = "%=&+,;:/?@!$'()*[]~"      # left as they are in a request line


class ProtocolError(RuntimeError):
    pass


# ----------------------------------------------------------------------------- element tree
class Block:
    __slots__ = ("kind", "proto", "children", "run_id", "fragment_id", "script_hash")

    def __init__(self, kind=None, proto=None, children=None, run_id="", fragment_id="", script_hash=""):
        self.kind, self.proto = kind, proto
        self.children = children if children is not None else []
        self.run_id, self.fragment_id, self.script_hash = run_id, fragment_id, script_hash


class Elem:
    __slots__ = ("kind", "proto", "run_id", "fragment_id", "script_hash")

    def __init__(self, kind, proto, run_id, fragment_id, script_hash):
        self.kind, self.proto = kind, proto
        self.run_id, self.fragment_id, self.script_hash = run_id, fragment_id, script_hash

    @property
    def body(self):
        """The element's own message (``Metric``, ``Button``, ...), or None."""
        return getattr(self.proto, self.kind) if self.kind and self.proto is not None else None


def _walk(node):
    if isinstance(node, Block):
        yield node
        for child in node.children:
            yield from _walk(child)
    else:
        yield node


def _set_node(block, path, node, run_id):
    """The frontend's ``setNodeAtPath``: blocks along the path take the current run id."""
    i, rest = path[0], path[1:]
    if i < 0 or i > len(block.children):
        raise ProtocolError(f"bad delta path index {i} (children: {len(block.children)})")
    block.run_id = run_id
    if i < len(block.children):
        if rest:
            child = block.children[i]
            if not isinstance(child, Block):
                raise ProtocolError("delta path runs through an element")
            _set_node(child, rest, node, run_id)
        else:
            block.children[i] = node
    else:
        if rest:
            raise ProtocolError("cannot set a node below a missing block")
        block.children.append(node)


def _get_node(block, path):
    node = block
    for i in path:
        if not isinstance(node, Block) or i >= len(node.children):
            return None
        node = node.children[i]
    return node


def _clear_stale(block, run_id, fragment_ids, fragment_of_block=None):
    """The frontend's ``ClearStaleNodeVisitor``: (kept block or None, whether it changed).
    A block whose subtree lost a node is rebuilt, so it takes the run id."""
    child_fragment = fragment_of_block
    if fragment_ids:
        if fragment_of_block and block.run_id != run_id:
            return None, True
        if block.fragment_id and block.fragment_id in fragment_ids and block.run_id == run_id:
            child_fragment = block.fragment_id
    elif block.run_id != run_id:
        return None, True
    kept, changed = [], False
    for child in block.children:
        if isinstance(child, Block):
            child, child_changed = _clear_stale(child, run_id, fragment_ids, child_fragment)
            changed |= child_changed
        elif not (child.kind == "toast"
                  or (fragment_ids and (not child.fragment_id or not child_fragment
                                        or child.run_id == run_id))
                  or child.run_id == run_id):
            child, changed = None, True
        if child is not None:
            kept.append(child)
    if changed:
        block.children = kept
        block.run_id = run_id
    return block, changed


# ----------------------------------------------------------------------------- widget values
def _opt(msg, field):
    return getattr(msg, field) if msg.HasField(field) else None


def _pick(options, index):
    return options[index] if index is not None and 0 <= index < len(options) else None


def _widget_value(kind, w, current):
    """(WidgetState value field, value) a mounted widget registers: its default, or its
    current value when ``current`` (the server set ``set_value``). None: no state."""
    if kind == "checkbox":
        return "bool_value", (w.value if current else w.default)
    if kind in ("color_picker",):
        return "string_value", (w.value if current else w.default)
    if kind in ("text_input", "text_area", "time_input"):
        return "string_value", (_opt(w, "value") if current else _opt(w, "default"))
    if kind in ("selectbox", "radio"):
        default = None if not w.options or not w.HasField("default") else _pick(w.options, w.default)
        return "string_value", (_opt(w, "raw_value") if current else default)
    if kind == "multiselect":
        return "string_array_value", (list(w.raw_values) if current
                                      else [w.options[i] for i in w.default if 0 <= i < len(w.options)])
    if kind == "button_group":
        default = [w.options[i].content for i in w.default if 0 <= i < len(w.options)]
        return "string_array_value", (list(w.raw_values) if current else default)
    if kind == "date_input":
        return "string_array_value", list(w.value if current else w.default)
    if kind == "number_input":
        field = "int_value" if w.data_type == w.INT else "double_value"
        value = _opt(w, "default")
        if current:
            value = _opt(w, "value") if w.HasField("value") else value
        if value is not None and field == "int_value":
            value = int(value)
        return field, value
    if kind in ("file_uploader", "camera_input"):
        return "file_uploader_state_value", ()          # an empty FileUploaderState on mount
    if kind == "slider":
        if w.type == w.SELECT_SLIDER:
            indices = list(w.default)
            if current and len(w.raw_value):
                return "string_array_value", list(w.raw_value)
            return "string_array_value", [w.options[i] if 0 <= int(i) < len(w.options) else ""
                                          for i in map(int, indices)]
        return "double_array_value", list(w.value if current else w.default)
    return None


def _set_state(state, field, value):
    if value is None:
        return                                  # the frontend's null: an id without a value
    if field == "file_uploader_state_value":
        state.file_uploader_state_value.SetInParent()
    elif field.endswith("_array_value"):
        getattr(state, field).data.extend(value)
    else:
        setattr(state, field, value)


# ----------------------------------------------------------------------------- the session
class Session:
    """One browser tab's worth of Streamlit protocol.

    ``on_delta(session, elem)`` is called for every element delta, after the tree has
    been updated. ``trace`` (a list) receives (time, kind, detail) tuples when given.
    """

    def __init__(self, base_url, page="", query="", *, cache=True, on_delta=None, trace=None,
                 timezone="UTC", locale="en-US"):
        self.base_url = base_url.rstrip("/")
        parsed = urllib.parse.urlsplit(self.base_url)
        if parsed.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("this client only talks to a server on this machine")
        self.host = parsed.netloc
        self.page = page.strip("/")
        self.query = query.lstrip("?")
        self.cache_enabled = cache
        self.on_delta = on_delta
        self.trace = trace
        self.context = dict(timezone=timezone, timezone_offset=0, locale=locale,
                            is_embedded=False, color_scheme="light")
        self.ws = None
        self.cookies = {}                       # name -> value, from Set-Cookie headers
        self.upstream = None                    # the app process a balancer chose (X-NNP-Upstream)
        self.session_id = None
        self.page_hash = ""                     # currentPageScriptHash
        self.main_hash = ""
        self.run_id = ""                        # the app's scriptRunId
        self.running = False
        self.full_runs_finished = 0
        self.fragment_runs_finished = 0
        self.roots = [Block(run_id="") for _ in range(N_ROOTS)]
        self.widgets = {}                       # id -> WidgetState (the WidgetStateManager)
        self.widget_fragment = {}               # id -> fragment id of the element
        self.auto_reruns = {}                   # fragment id -> (interval, task)
        self.cache = {}                         # hash -> [encoded, run count, fragment id]
        self.cache_runs = 0
        self.max_cache_age = 2
        self.new_session_seen = False           # the frontend's hasReceivedNewSession
        self.errors = []
        self.counts = {"forward_msgs": 0, "bytes_in": 0, "back_msgs": 0, "bytes_out": 0,
                       "auto_reruns_sent": 0, "ref_hits": 0, "deltas": 0}
        self.closed = asyncio.Event()
        self._closing = False
        self._reader = None
        self._changed = asyncio.Event()         # set whenever something arrives

    # ------------------------------------------------------------------ connection
    @property
    def url(self):
        return f"{self.base_url}/{self.page}" + (f"?{self.query}" if self.query else "")

    def _cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    async def _http_get(self, path, timeout=10.0):
        """GET ``path``; keep the cookies it sets; return the status code."""
        host, port = self.host.rsplit(":", 1) if ":" in self.host else (self.host, "80")
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), timeout)
        cookie = f"Cookie: {self._cookie_header()}\r\n" if self.cookies else ""
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n{cookie}Connection: close\r\n\r\n".encode())
            await writer.drain()
            data = await asyncio.wait_for(reader.read(), timeout)
        finally:
            writer.close()
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        for line in head[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "set-cookie":
                pair = value.strip().split(";", 1)[0]
                if "=" in pair:
                    k, v = pair.split("=", 1)
                    self.cookies[k.strip()] = v.strip()
            elif name.strip().lower() == "x-nnp-upstream" and value.strip():
                self.upstream = value.strip()
        return int(head[0].split(" ", 2)[1])

    async def connect(self, open_timeout=30.0):
        # the page's HTML, then the frontend's pingServer: health and host-config before the socket
        page = f"/{self.page}" + (f"?{urllib.parse.quote(self.query, safe=_URL_SAFE)}" if self.query else "")
        for path in (page, "/_stcore/health", "/_stcore/host-config"):
            await self._http_get(path)
        ws_url = "ws" + self.base_url[4:] + "/_stcore/stream"
        xsrf = self.cookies.get("_streamlit_xsrf") or "PLACEHOLDER_AUTH_TOKEN"
        self.ws = await connect(
            ws_url, subprotocols=["streamlit", xsrf], origin=self.base_url,
            compression="deflate", proxy=None, open_timeout=open_timeout,
            ping_interval=None, max_size=None, max_queue=None, close_timeout=2,
            additional_headers={"Cookie": self._cookie_header()} if self.cookies else None,
            user_agent_header="Mozilla/5.0 (X11; Linux x86_64) bench/load.py")
        if self.ws.subprotocol != "streamlit":
            raise ProtocolError(f"server chose subprotocol {self.ws.subprotocol!r}")
        self._reader = asyncio.create_task(self._read_loop(), name="st-reader")
        # On CONNECTED with no previous session the frontend requests a run at once.
        await self.rerun()

    async def close(self):
        self._closing = True
        for _, task in self.auto_reruns.values():
            task.cancel()
        self.auto_reruns.clear()
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 5)
            except Exception:                   # noqa: BLE001 - closing a dead socket
                pass
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except BaseException:               # noqa: BLE001
                pass
        self.closed.set()

    # ------------------------------------------------------------------ sending
    def _widget_states(self, extra=()):
        msg = WidgetStates()
        msg.widgets.extend(self.widgets.values())
        msg.widgets.extend(extra)
        return msg

    async def rerun(self, fragment_id="", is_auto_rerun=False, triggers=()):
        """sendRerunBackMsg: all widget states, the page, the query, the context."""
        if self.ws is None:
            return
        back = BackMsg()
        rs = back.rerun_script
        rs.query_string = self.query
        rs.widget_states.CopyFrom(self._widget_states(triggers))
        if self.page_hash:
            rs.page_script_hash = self.page_hash
        else:
            rs.page_name = self.page
        if fragment_id:
            rs.fragment_id = fragment_id
        rs.is_auto_rerun = bool(is_auto_rerun)
        if self.cache_enabled:
            rs.cached_message_hashes.extend(self.cache.keys())
        ci = rs.context_info
        ci.timezone, ci.timezone_offset = self.context["timezone"], self.context["timezone_offset"]
        ci.locale, ci.url = self.context["locale"], self.url
        ci.is_embedded, ci.color_scheme = self.context["is_embedded"], self.context["color_scheme"]
        data = back.SerializeToString()
        self.new_session_seen = False
        self.counts["back_msgs"] += 1
        self.counts["bytes_out"] += len(data)
        if self.trace is not None:
            self.trace.append((time.monotonic(), "send",
                               f"rerun fragment={fragment_id or '-'} auto={is_auto_rerun} "
                               f"widgets={len(rs.widget_states.widgets)}"))
        await self.ws.send(data)

    async def click(self, elem):
        """A button click: a one-shot trigger, flushed as a rerun of the button's scope."""
        wid = elem.body.id
        trigger = WidgetState(id=wid, trigger_value=True)
        self.widgets.pop(wid, None)
        await self.rerun(fragment_id=elem.fragment_id, triggers=[trigger])

    def _start_auto_rerun(self, fragment_id, interval):
        old = self.auto_reruns.get(fragment_id)
        if old is not None and old[0] == interval:
            return
        self._stop_auto_rerun(fragment_id)
        task = asyncio.create_task(self._interval(fragment_id, interval), name="st-auto-rerun")
        self.auto_reruns[fragment_id] = (interval, task)

    def _stop_auto_rerun(self, fragment_id):
        entry = self.auto_reruns.pop(fragment_id, None)
        if entry is not None:
            entry[1].cancel()

    async def _interval(self, fragment_id, interval):
        """setInterval(() => sendUpdateWidgetsMessage(fragment_id, true), interval)."""
        period = max(interval, 0.004)           # browsers clamp timers to >= 4 ms
        loop = asyncio.get_running_loop()
        due = loop.time() + period
        while True:
            await asyncio.sleep(max(0.0, due - loop.time()))
            due = max(due + period, loop.time())    # a late timer does not fire twice
            try:
                await self.rerun(fragment_id=fragment_id, is_auto_rerun=True)
                self.counts["auto_reruns_sent"] += 1
            except Exception as e:              # noqa: BLE001 - socket gone: stop like a closed tab
                self.errors.append(f"auto rerun send failed: {e!r}")
                return

    # ------------------------------------------------------------------ receiving
    async def _read_loop(self):
        try:
            async for data in self.ws:
                if isinstance(data, str):
                    raise ProtocolError("text frame from the server")
                self.counts["forward_msgs"] += 1
                self.counts["bytes_in"] += len(data)
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._handle(msg, data)
                self._changed.set()
        except asyncio.CancelledError:
            raise
        except Exception as e:                  # noqa: BLE001 - recorded; the socket is done
            if not self._closing:
                self.errors.append(f"reader: {e!r}")
        finally:
            for _, task in self.auto_reruns.values():
                task.cancel()
            self.auto_reruns.clear()
            self.closed.set()
            self._changed.set()

    def _handle(self, msg, data):
        kind = msg.WhichOneof("type")
        if self.cache_enabled:
            if kind != "ref_hash" and msg.metadata.cacheable and msg.hash and msg.hash not in self.cache:
                frag = msg.delta.fragment_id if kind == "delta" else ""
                self.cache[msg.hash] = [data, self.cache_runs, frag]
            elif kind != "ref_hash" and msg.hash in self.cache:
                self.cache[msg.hash][1] = self.cache_runs
        if kind == "ref_hash":
            entry = self.cache.get(msg.ref_hash)
            if entry is None:
                self.errors.append(f"cache miss for ref_hash {msg.ref_hash}")
                return
            entry[1] = self.cache_runs
            metadata = msg.metadata
            msg = ForwardMsg()
            msg.ParseFromString(entry[0])
            msg.metadata.CopyFrom(metadata)
            kind = msg.WhichOneof("type")
            self.counts["ref_hits"] += 1
        if self.trace is not None and kind != "delta":
            self.trace.append((time.monotonic(), kind, _summary(msg, kind)))
        handler = getattr(self, "_on_" + kind, None) if kind else None
        if handler is not None:
            handler(msg)

    def _on_new_session(self, msg):
        ns = msg.new_session
        self.new_session_seen = True
        if ns.initialize.session_id:
            self.session_id = ns.initialize.session_id
        if ns.config.max_cached_message_age:
            self.max_cache_age = ns.config.max_cached_message_age
        run = msg.metadata.run
        self.running = True
        if not run.fragment_ids:
            for fid in list(self.auto_reruns):
                self._stop_auto_rerun(fid)
            if ns.main_script_hash:
                self.main_hash = ns.main_script_hash
            if ns.page_script_hash and ns.page_script_hash != self.page_hash:
                if self.page_hash:                  # a page change: drop the old page's nodes
                    self._clear_page(ns.page_script_hash)
                self.page_hash = ns.page_script_hash
        self.run_id = run.script_run_id

    def _clear_page(self, new_hash):
        for root in self.roots:
            root.children = [c for c in root.children if c.script_hash == self.main_hash]
        self._remove_inactive_widgets()

    def _on_navigation(self, msg):
        if msg.navigation.page_script_hash:
            self.page_hash = msg.navigation.page_script_hash

    def _on_page_info_changed(self, msg):
        self.query = msg.page_info_changed.query_string

    def _on_page_not_found(self, msg):
        self.errors.append(f"page not found: {msg.page_not_found.page_name!r}")

    def _on_session_status_changed(self, msg):
        self.running = msg.session_status_changed.script_is_running

    def _on_auto_rerun(self, msg):
        ar = msg.auto_rerun
        if ar.fragment_id:
            self._start_auto_rerun(ar.fragment_id, ar.interval)

    def _on_stop_auto_rerun(self, msg):
        for fid in msg.stop_auto_rerun.fragment_ids:
            self._stop_auto_rerun(fid)

    def _on_script_finished(self, msg):
        status = msg.script_finished
        run = msg.metadata.run if msg.metadata.HasField("run") else None
        self.running = False
        if status in (FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
            if status == FINISHED.FINISHED_SUCCESSFULLY:
                self.full_runs_finished += 1
            else:
                self.fragment_runs_finished += 1
            if run is not None and (run.fragment_ids or self.run_id == run.script_run_id):
                frags = set(run.fragment_ids)
                for i, root in enumerate(self.roots):
                    self.roots[i] = (_clear_stale(root, run.script_run_id, frags)[0]
                                     or Block(run_id=run.script_run_id))
                self._remove_inactive_widgets()
        if (run is not None and status != FINISHED.FINISHED_EARLY_FOR_RERUN and self.new_session_seen
                and self.cache_enabled):
            self.cache_runs += 1
            frags = set(run.fragment_ids)
            for h, (_, count, frag) in list(self.cache.items()):
                if frags and (not frag or frag not in frags):
                    continue
                if self.cache_runs - count > self.max_cache_age:
                    del self.cache[h]

    def _remove_inactive_widgets(self):
        active = set()
        for root in self.roots:
            for node in _walk(root):
                if isinstance(node, Elem):
                    body = node.body
                    wid = getattr(body, "id", None) if body is not None else None
                    if wid:
                        active.add(wid)
                elif node.proto is not None and node.proto.HasField("id"):
                    active.add(node.proto.id)
        for wid in [w for w in self.widgets if w not in active]:
            del self.widgets[wid]
            self.widget_fragment.pop(wid, None)

    def _on_delta(self, msg):
        self.counts["deltas"] += 1
        delta = msg.delta
        path = list(msg.metadata.delta_path)
        dkind = delta.WhichOneof("type")
        if not path or path[0] >= N_ROOTS:
            self.errors.append(f"bad delta path {path}")
            return
        script_hash = msg.metadata.active_script_hash
        try:
            if dkind == "new_element":
                el = delta.new_element
                node = Elem(el.WhichOneof("type"), el, self.run_id, delta.fragment_id, script_hash)
                self._place(path, node)
                self._register_widget(node)
                if self.on_delta is not None:
                    self.on_delta(self, node)
            elif dkind == "add_block":
                blk = delta.add_block
                old = _get_node(self.roots[path[0]], path[1:])
                kind = blk.WhichOneof("type")
                children = None
                if isinstance(old, Block) and old.kind == kind and not (
                        kind == "dialog" and old.proto is not None and old.proto.dialog.id != blk.dialog.id):
                    children = old.children
                self._place(path, Block(kind, blk, children, self.run_id, delta.fragment_id, script_hash))
            elif dkind == "new_transient":
                # Transient nodes (spinners, toasts) sit on an anchor; keep the index taken.
                if _get_node(self.roots[path[0]], path[1:]) is None:
                    self._place(path, Elem("transient", None, self.run_id, delta.fragment_id, script_hash))
        except ProtocolError as e:
            self.errors.append(f"{e} at {path}")

    def _place(self, path, node):
        root = self.roots[path[0]]
        if len(path) == 1:
            raise ProtocolError("a delta cannot replace a root container")
        _set_node(root, path[1:], node, self.run_id)
        root.run_id = self.run_id

    def _register_widget(self, node):
        body = node.body
        wid = getattr(body, "id", None) if body is not None else None
        if not wid or node.kind in ("button", "download_button"):
            return
        current = bool(getattr(body, "set_value", False))
        if wid in self.widgets and not current:
            return
        if getattr(body, "form_id", ""):
            return                              # form widgets live in the form until submit
        picked = _widget_value(node.kind, body, current)
        if picked is None:
            return
        state = WidgetState(id=wid)
        _set_state(state, *picked)
        self.widgets[wid] = state
        self.widget_fragment[wid] = node.fragment_id

    # ------------------------------------------------------------------ queries
    def elements(self, kind=None):
        for root in self.roots:
            for node in _walk(root):
                if isinstance(node, Elem) and (kind is None or node.kind == kind):
                    yield node

    def find(self, kind, label):
        for node in self.elements(kind):
            if getattr(node.body, "label", None) == label:
                return node
        return None

    async def wait_for(self, predicate, timeout):
        """Wait until ``predicate()`` is truthy (checked after every message); return it."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if self.closed.is_set():
                raise ProtocolError("connection closed: " + "; ".join(self.errors[-3:]))
            left = deadline - time.monotonic()
            if left <= 0:
                raise asyncio.TimeoutError
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(left, 1.0))
            except asyncio.TimeoutError:
                pass


def _summary(msg, kind):
    if kind == "new_session":
        return f"run={msg.metadata.run.script_run_id[:8]} fragments={list(msg.metadata.run.fragment_ids)}"
    if kind == "script_finished":
        return f"{FINISHED.Name(msg.script_finished)} fragments={list(msg.metadata.run.fragment_ids)}"
    if kind == "auto_rerun":
        return f"interval={msg.auto_rerun.interval} fragment={msg.auto_rerun.fragment_id}"
    if kind == "stop_auto_rerun":
        return f"fragments={list(msg.stop_auto_rerun.fragment_ids)}"
    if kind == "page_info_changed":
        return msg.page_info_changed.query_string
    if kind == "session_status_changed":
        return f"running={msg.session_status_changed.script_is_running}"
    return ""


# ----------------------------------------------------------------------------- debugging aid
async def _dump(base_url, page, query, seconds, click):
    trace = []

    def on_delta(session, node):
        body = node.body
        label = getattr(body, "label", "") if body is not None else ""
        text = getattr(body, "body", "") if node.kind == "metric" else ""
        trace.append((time.monotonic(), "delta", f"{node.kind} {label!r} {text!r} frag={node.fragment_id[:8]}"))

    s = Session(base_url, page, query, on_delta=on_delta, trace=trace)
    t0 = time.monotonic()
    await s.connect()
    if click:
        btn = await s.wait_for(lambda: s.find("button", click), 300)
        try:
            await s.wait_for(lambda: not s.running, 30)
        except asyncio.TimeoutError:
            trace.append((time.monotonic(), "note", "script still running after 30 s: clicking anyway"))
        await s.click(s.find("button", click) or btn)
    await asyncio.sleep(seconds)
    await s.close()
    for t, kind, detail in trace:
        print(f"{t - t0:8.3f} {kind:22s} {detail}")
    print(json.dumps({"counts": s.counts, "errors": s.errors, "widgets": len(s.widgets),
                      "widget_ids": sorted(s.widgets)[:50]}, indent=1))


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description="dump a session's messages (debugging aid)")
    ap.add_argument("url")
    ap.add_argument("--page", default="mlp")
    ap.add_argument("--query", default="")
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--click", default="", help="label of a button to click once loaded")
    a = ap.parse_args()
    asyncio.run(_dump(a.url, a.page, a.query, a.seconds, a.click))
