"""Set up one live thread for the real-time benchmarks: a verified organisation, its network
forum and a thread (through the forums services), N reader accounts and one poster, each with a
signed-in session. Answers ``{"thread_id", "last_seq", "readers": [session keys], "poster"}``."""

from __future__ import annotations

from bench.workers.common import emit, organisation, people, session_key, skip, start


def main() -> None:
    payload = start()
    try:
        from forums import services
        from forums.models import Forum
    except ImportError as exc:
        skip(f"forums are not installed yet ({exc})")
    from network.visibility import Visibility

    readers_wanted = int(payload.get("readers", 100))
    org = organisation("bench-realtime", "Bench Realtime City")
    poster = people(org, 1, prefix="poster", role="editor")[0]
    readers = people(org, readers_wanted, prefix="reader")
    forum = Forum.objects.filter(slug="bench-realtime").first() or services.forum_create(
        organisation=org, name="Bench realtime", slug="bench-realtime", visibility_level=Visibility.NETWORK
    )
    thread = services.thread_create(person=poster, forum=forum, title="Fan-out", body="First post.")
    emit(
        {
            "thread_id": thread.pk,
            "last_seq": thread.last_seq,
            "poster": session_key(poster),
            "readers": [session_key(p) for p in readers],
        }
    )


if __name__ == "__main__":
    main()
