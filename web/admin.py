"""Admin handlers: login, uploads into their own namespace, delete, rebuild, eval report."""

from __future__ import annotations

import html
import math
import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.errors import LeerstadError
from web.login import LoginGuard
from web.render import documents_html, escape_markdown, note
from web.service import Service
from web.texts import texts

UPLOAD_TYPES = (".pdf", ".docx", ".md", ".txt", ".html")
# Uploaded files are saved as data_dir/uploads/upload-<name>, so their document ids never equal
# a curated document's (the id is the file name without extension).
UPLOAD_PREFIX = "upload-"
RUNS_DIR = Path("runs")


def require_admin(is_admin: object, lang: str | None = None) -> None:
    """Every admin handler starts here: the session flag is only set by a correct password."""
    if is_admin is not True:
        raise gr.Error(texts(lang)["admin_only"], print_exception=False)


def client_of(request: gr.Request | None) -> str:
    client = getattr(request, "client", None)
    return str(getattr(client, "host", None) or "onbekend")


def safe_filename(name: str) -> str:
    """A plain file name for an upload: no directories, only letters, digits, '-', '_' and '.'."""
    stem, suffix = Path(Path(name).name).stem, Path(name).suffix.lower()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:80] or "document"
    return UPLOAD_PREFIX + stem.removeprefix(UPLOAD_PREFIX) + suffix


def upload_folder() -> Path:
    """Where Gradio keeps the files it received (GRADIO_TEMP_DIR or the system temp dir)."""
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder()).resolve()


def received_here(path: Path, received: Iterable[str], uploaded: Iterable[str]) -> bool:
    """Whether ``path`` is a file that Gradio's upload route itself wrote (``uploaded``), that
    this session's upload field received (``received``), inside Gradio's upload folder.

    Gradio copies any path an event names from the working or temp directory into that folder,
    so being in the folder alone proves nothing.
    """
    resolved = path.resolve()
    if not (resolved.is_relative_to(upload_folder()) and resolved.is_file()):
        return False
    known = {str(Path(p).resolve()) for p in uploaded}
    return str(resolved) in known and str(resolved) in {str(Path(p).resolve()) for p in received}


def newest_report(runs_dir: Path = RUNS_DIR) -> Path | None:
    """The newest report.html anywhere under ``runs_dir`` (eval writes runs/<name>/<set>/)."""
    reports = [p for p in runs_dir.rglob("report.html") if p.is_file()] if runs_dir.is_dir() else []
    return max(reports, key=lambda p: p.stat().st_mtime, default=None)


@dataclass(frozen=True)
class RebuildPlan:
    """What a rebuild reads (the source file of every indexed document) and what it drops."""

    paths: tuple[Path, ...]
    missing: tuple[tuple[str, str, str], ...]  # (doc_id, title, path) whose file is gone

    @classmethod
    def of(cls, documents: dict[str, dict[str, Any]]) -> RebuildPlan:
        paths, missing = [], []
        for doc_id, info in sorted(documents.items()):
            path = Path(str(info.get("path") or info.get("source") or ""))
            if str(path) and path.is_file():
                paths.append(path)
            else:
                missing.append((doc_id, str(info.get("title") or doc_id), str(path)))
        return cls(tuple(paths), tuple(missing))

    def describe(self, labels: dict[str, str]) -> str:
        if not self.paths:
            return labels["admin_rebuild_empty"]
        folders = ", ".join(sorted({escape_markdown(str(p.parent)) for p in self.paths}))
        lines = [labels["admin_rebuild_plan"].format(n=len(self.paths), folders=folders)]
        if self.missing:
            lines.append(labels["admin_rebuild_removes"])
            lines += [f"- {escape_markdown(t)} ({escape_markdown(d)})" for d, t, _ in self.missing]
        else:
            lines.append(labels["admin_rebuild_keeps"])
        return "\n\n".join(lines[:2]) + "".join(f"\n{line}" for line in lines[2:])


class Admin:
    """The admin handlers; each checks the session's login flag before doing anything."""

    def __init__(self, service: Service, guard: LoginGuard | None = None) -> None:
        self.service = service
        self.settings = service.settings
        self.guard = guard or LoginGuard()
        # The paths Gradio's upload route wrote (Blocks.upload_file_set), set by the layout.
        self.uploaded: Callable[[], Iterable[str]] = frozenset

    def login(self, password: str, lang: str, request: gr.Request) -> tuple[Any, ...]:
        """(is_admin, login box, panel, note, password field, delete choices, table)."""
        labels, skip = texts(lang), gr.skip()
        client = client_of(request)
        ok = self.guard.attempt(client, password, self.settings.admin_password)
        if not ok:
            wait = self.guard.locked_for(client)
            text = labels["admin_wrong"]
            if ok is None or wait > 0:
                text = labels["admin_locked"].format(minutes=max(1, math.ceil(wait / 60)))
            return False, skip, skip, note(text), "", skip, skip
        shown = gr.update(visible=True)
        return True, gr.update(visible=False), shown, "", "", *self.document_choices(lang)

    def logout(self, lang: str) -> tuple[Any, ...]:
        labels = texts(lang)
        hidden = gr.update(visible=False)
        return False, gr.update(visible=True), hidden, note(labels["admin_logged_out"]), ""

    def document_choices(self, lang: str) -> tuple[Any, str]:
        docs = self.service.documents()
        choices = [(f"{d['title']} ({d['doc_id']}, {d['chunks']})", d["doc_id"]) for d in docs]
        return gr.update(choices=choices, value=[]), documents_html(docs, texts(lang))

    def remember(
        self, files: list[str] | None, received: list[str], is_admin: bool, lang: str
    ) -> tuple[list[str], str]:
        """Record the files Gradio received through the upload field in this session, and say
        at once which of them cannot be added."""
        if is_admin is not True or not files:
            return received, ""
        folder = upload_folder()
        found = [str(Path(f).resolve()) for f in files if Path(f).resolve().is_relative_to(folder)]
        received = sorted({*received, *found})
        _, refused = self._accept(files, received, texts(lang))
        return received, "\n".join(f"- {line}" for line in refused)

    def upload(
        self,
        files: list[str] | None,
        replace: list[str] | None,
        received: list[str],
        is_admin: bool,
        lang: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio's way to ask for progress)
    ) -> tuple[Any, ...]:
        """(result, files, replace choices, delete choices, table)."""
        require_admin(is_admin, lang)
        labels, skip = texts(lang), gr.skip()
        if not files:
            return labels["admin_choose_files"], skip, skip, skip, skip
        accepted, lines = self._accept(files, received or [], labels)
        known = self.service.indexed_sources()
        # A document id already in the index is replaced only when the admin ticked it.
        waiting = {
            Path(name).stem: str(known[Path(name).stem].get("title") or Path(name).stem)
            for _, name in accepted
            if Path(name).stem in known and Path(name).stem not in (replace or [])
        }
        chosen = [(path, name) for path, name in accepted if Path(name).stem not in waiting]
        if chosen:
            lines.insert(0, self._ingest(self._save(chosen), labels, progress))
        lines += [
            labels["admin_replace_needed"].format(title=escape_markdown(title), doc_id=doc_id)
            for doc_id, title in waiting.items()
        ]
        choices = [
            (labels["admin_replace_choice"].format(title=title, doc_id=doc_id), doc_id)
            for doc_id, title in waiting.items()
        ]
        replace_box = gr.update(choices=choices, value=[], visible=bool(choices))
        kept = skip if waiting else None  # keep the files while a replacement awaits a yes
        result = "\n".join(f"- {line}" for line in lines)
        return result, kept, replace_box, *self.document_choices(lang)

    def _accept(
        self, files: list[str], received: list[str], labels: dict[str, str]
    ) -> tuple[list[tuple[Path, str]], list[str]]:
        """(path, safe name) of acceptable files, and a Dutch line for every refused one."""
        limit_mb = self.settings.max_upload_mb
        accepted, refused = [], []
        for file in files:
            path = Path(file)
            name = escape_markdown(path.name)
            if not received_here(path, received, self.uploaded()):
                refused.append(labels["admin_refused_foreign"].format(name=name))
            elif path.suffix.lower() not in UPLOAD_TYPES:
                types = ", ".join(UPLOAD_TYPES)
                refused.append(labels["admin_refused_type"].format(name=name, types=types))
            elif path.stat().st_size > limit_mb * 1024 * 1024:
                refused.append(labels["admin_refused_size"].format(name=name, mb=limit_mb))
            else:
                accepted.append((path, safe_filename(path.name)))
        return accepted, refused

    def _save(self, accepted: list[tuple[Path, str]]) -> list[Path]:
        target = self.settings.data_dir / "uploads"
        target.mkdir(parents=True, exist_ok=True)
        return [Path(shutil.copyfile(path, target / name)) for path, name in accepted]

    def delete(self, doc_ids: list[str] | None, is_admin: bool, lang: str) -> tuple[Any, ...]:
        require_admin(is_admin, lang)
        labels, skip = texts(lang), gr.skip()
        if not doc_ids:
            return labels["admin_choose_delete"], skip, skip
        from ingest import delete_documents

        try:
            removed = delete_documents(doc_ids, self.settings)
        except LeerstadError as e:
            return labels["admin_delete_failed"].format(message=escape_markdown(str(e))), skip, skip
        names = ", ".join(escape_markdown(d) for d in removed) or "—"
        return labels["admin_deleted"].format(names=names), *self.document_choices(lang)

    def ask_rebuild(self, is_admin: bool, lang: str) -> tuple[Any, str]:
        """Show the confirmation: what the rebuild reads and which documents it removes."""
        require_admin(is_admin, lang)
        plan = RebuildPlan.of(self.service.indexed_sources())
        return gr.update(visible=True), plan.describe(texts(lang))

    def cancel_rebuild(self, lang: str) -> tuple[Any, str]:
        return gr.update(visible=False), texts(lang)["admin_rebuild_cancelled"]

    def rebuild(
        self,
        is_admin: bool,
        lang: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple[Any, ...]:
        """(confirmation group, result, delete choices, table)."""
        require_admin(is_admin, lang)
        labels = texts(lang)
        plan = RebuildPlan.of(self.service.indexed_sources())
        if not plan.paths:
            return gr.update(visible=False), labels["admin_rebuild_empty"], gr.skip(), gr.skip()
        summary = self._ingest(list(plan.paths), labels, progress, rebuild=True)
        return gr.update(visible=False), summary, *self.document_choices(lang)

    def report(self, is_admin: bool, lang: str) -> tuple[str, str | None]:
        require_admin(is_admin, lang)
        labels = texts(lang)
        path = newest_report()
        if path is None:
            return html.escape(labels["admin_report_none"].format(runs=RUNS_DIR.resolve())), None
        page = path.read_text(encoding="utf-8", errors="replace")
        frame = (
            f"<p>{html.escape(labels['admin_report_path'].format(path=path))}</p>"
            f'<iframe title="{html.escape(labels["admin_report_title"])}" sandbox="" '
            f'style="width:100%;height:70vh;border:1px solid #d1d5db" '
            f'srcdoc="{html.escape(page)}"></iframe>'
        )
        return frame, str(path)

    def _ingest(
        self, paths: list[Path], labels: dict[str, str], progress: Any, rebuild: bool = False
    ) -> str:
        from ingest import enrich_in_background, ingest_paths

        def tell(done: int, total: int) -> None:
            words = labels["admin_progress"].format(done=done, total=total)
            progress(done / total if total else 0.0, desc=words)

        tell(0, len(paths))
        try:
            summary = ingest_paths(
                paths, self.settings, rebuild=rebuild, progress=False, on_document=tell
            )
        except LeerstadError as e:
            return labels["admin_failed"].format(message=escape_markdown(str(e)))
        enrich_in_background(self.settings)  # with LEERSTAD_SENTENCE_VECTORS=after
        skipped = "".join(f"\n- {escape_markdown(reason)}" for _, reason in summary.skipped)
        return labels["admin_done"].format(summary=escape_markdown(summary.line())) + skipped
