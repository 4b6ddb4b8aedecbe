"""Review queue: the judge's verdicts most worth a person's eye, one at a time, by keyboard."""

import streamlit as st

from components import review, shell
from components.response_card import response_card
from components.review_card import SHORTCUTS, review_panel
from reporting.aymara.review_queue import QUEUE_HELP, QUEUES, reviewed_mask
from reporting.aymara.schema import FAILED, NOT_SCORED, PASSED
from reporting.text import escape_markdown

POSITION = "_review_position"

data = shell.aymara_page("Review queue")
ctx = shell.current()
source = ctx.source("aymara")
assert source is not None
review.show_notice(st.session_state)

kind = st.segmented_control(
    "Queue",
    list(QUEUES),
    default="low_fail",
    format_func=QUEUES.get,
    key="rq_kind",
    bind="query-params",
    required=True,
)
eval_uuid = verdict = None
if kind == "filter":
    evals = data.runs.drop_duplicates("eval_uuid").set_index("eval_uuid")["eval_name"]
    left, right = st.columns(2)
    eval_uuid = left.selectbox(
        "Eval",
        [None, *evals.index.astype(str)],
        format_func=lambda e: "Every eval" if e is None else escape_markdown(evals.get(e, e)),
        key="rq_eval",
    )
    verdict = right.selectbox(
        "Final verdict",
        [None, PASSED, FAILED, NOT_SCORED],
        format_func=lambda v: "Any verdict" if v is None else v.capitalize(),
        key="rq_verdict",
    )
st.caption(QUEUE_HELP[kind or "low_fail"] + " Verdicts counted on every page are the final ones.")

queue, queued = data.review_queue(kind or "low_fail", eval_uuid=eval_uuid, verdict=verdict)
if queue.empty:
    st.success("Nothing in this queue: no response fits it.")
    st.stop()
agreed = st.session_state.get(review.AGREED, set())
done = reviewed_mask(queue, agreed)
ids = queue["response_uuid"].astype(str).tolist()
place_key = (kind, eval_uuid, verdict)
positions = st.session_state.setdefault(POSITION, {})
# Resume where the person left off: the remembered item, else the first one not reviewed.
current = positions.get(place_key)
if current not in ids:
    open_items = [i for i, d in zip(ids, done, strict=True) if not d]
    current = open_items[0] if open_items else ids[0]
index = ids.index(current)

reviewed = int(done.sum())
listed = (
    f" (the {len(ids):,} least confident of {queued:,} are listed)" if queued > len(ids) else ""
)
st.progress(reviewed / len(ids), text=f"{reviewed:,} of {len(ids):,} reviewed{listed}")


def move(step: int) -> None:
    """Go to the next (or previous) item of the queue."""
    positions[place_key] = ids[max(0, min(len(ids) - 1, index + step))]


def next_open() -> str:
    """The next item not reviewed yet after this one (or this one's successor)."""
    after = [i for j, i in enumerate(ids) if j > index and not done[j]]
    return after[0] if after else ids[min(index + 1, len(ids) - 1)]


with st.container(horizontal=True, gap="small"):
    st.button("Previous", icon=":material/arrow_back:", shortcut="K", on_click=move,
              args=(-1,), disabled=index == 0, key="rq_prev")  # fmt: skip
    st.button("Next", icon=":material/arrow_forward:", shortcut="J", on_click=move, args=(1,),
              disabled=index >= len(ids) - 1, key="rq_next")  # fmt: skip
    st.caption(
        f"Item {index + 1:,} of {len(ids):,}"
        + (" · reviewed" if done[index] else "")
        + f" · keys: J next, K previous, {SHORTCUTS['overturn']} overturn, "
        f"{SHORTCUTS['agree']} agree, {SHORTCUTS['not_scorable']} not scorable"
    )

item = queue.iloc[index]  # the queue lists keys on the lake: read this one in full
row = data.response(str(item["eval_run_uuid"]), str(item["response_uuid"]))
if row is None:  # a queue built from this very dataset holds only its own responses
    st.error("This response is no longer in the data. Press Refresh to reload the queue.")
    st.stop()
outcomes: list[str | None] = []
response_card(
    row,
    key="rq_card",
    image_loader=shell.images(),
    thread=data.response_rows().thread(row),
    actions=lambda: outcomes.append(
        review_panel(row, source=source, workspace=ctx.workspace, key="rq", shortcuts=True)
    ),
)
if any(outcomes):
    positions[place_key] = next_open()
    st.rerun()
