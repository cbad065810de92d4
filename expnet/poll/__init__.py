"""The live class poll: students answer from their phones, the projector shows the room.

The store (``store.PollStore``) is SQLAlchemy Core on SQLite or PostgreSQL and imports no
Streamlit; ``expnet.poll.st_adapter`` is the one module that does, to get the engine through
``st.connection``. ``summary.summarize`` turns a question's answers into what the projector
shows. Import each name from its own module (``expnet.poll.records``, ``.store``, ...): this
package re-exports nothing.
"""
