"""The corpus is the seed text, split per document, with the documented corrections only."""

from __future__ import annotations

import re
from pathlib import Path

import frontmatter
import pytest

CORRECTIONS = {"aanvraagmoet": "aanvraag moet", "door hmet": "door met"}
TAG_LINE = re.compile(r"^doel(?:en)? gg (\d+) en (\d+)$")


def seed_documents(shared_dir: Path) -> dict[str, tuple[str, list[int]]]:
    """title -> (expected Markdown body, global goals) built from the seed text."""
    seed = (shared_dir / "seeds" / "learning-cities-and-kindcentra.txt").read_text("utf-8")
    for typo, fixed in CORRECTIONS.items():
        seed = seed.replace(typo, fixed)
    documents: dict[str, tuple[str, list[int]]] = {}
    paragraphs: list[str] = []
    for paragraph in seed.strip().split("\n\n"):
        tag = TAG_LINE.match(paragraph)
        if tag is None:
            paragraphs.append(paragraph)
            continue
        title, *body = paragraphs
        documents[title] = ("\n\n".join([f"# {title}", *body]), [int(g) for g in tag.groups()])
        paragraphs = []
    assert not paragraphs, "seed text ends without a tag line"
    return documents


@pytest.fixture(scope="module")
def posts(corpus_dir: Path) -> dict[str, frontmatter.Post]:
    """title -> parsed corpus document."""
    docs = [p for p in sorted(corpus_dir.glob("*.md")) if p.stem != "README"]
    parsed = [frontmatter.load(str(p)) for p in docs]
    return {str(post["title"]): post for post in parsed}


def test_the_seed_still_has_the_typos_the_corpus_corrects(shared_dir: Path) -> None:
    seed = (shared_dir / "seeds" / "learning-cities-and-kindcentra.txt").read_text("utf-8")
    for typo in CORRECTIONS:
        assert typo in seed


def test_corpus_has_one_file_per_seed_document(
    shared_dir: Path, posts: dict[str, frontmatter.Post]
) -> None:
    assert (
        sorted(posts)
        == sorted(seed_documents(shared_dir))
        == [
            "Integrale Kindcentra",
            "UNESCO Learning Cities",
        ]
    )


def test_body_is_the_corrected_seed_text(
    shared_dir: Path, posts: dict[str, frontmatter.Post]
) -> None:
    for title, (body, _) in seed_documents(shared_dir).items():
        assert posts[title].content.strip() == body
        for typo in CORRECTIONS:
            assert typo not in posts[title].content


def test_tag_lines_moved_into_front_matter(
    shared_dir: Path, posts: dict[str, frontmatter.Post]
) -> None:
    goals = {title: g for title, (_, g) in seed_documents(shared_dir).items()}
    assert goals == {"UNESCO Learning Cities": [4, 11], "Integrale Kindcentra": [4, 10]}
    for title, post in posts.items():
        assert post["global_goals"] == goals[title]
        assert "gg 4" not in post.content


def test_front_matter_has_title_language_and_the_url_the_text_mentions(
    posts: dict[str, frontmatter.Post],
) -> None:
    for title, post in posts.items():
        assert post["title"] == title
        assert post["language"] == "nl"
        # The url is the www. address the text itself ends by pointing to.
        mentioned = re.findall(r"\bwww\.[\w./-]*\w", post.content)[-1]
        assert post["url"] == f"https://{mentioned}"
