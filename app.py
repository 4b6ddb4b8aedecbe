"""Entry point: page config, the connection, and navigation over the pages."""

import streamlit as st

from components import access, shell

st.set_page_config(
    page_title="Eval results",
    page_icon="📊",  # an emoji renders locally; a material icon is fetched from Google
    layout="wide",
    initial_sidebar_state="auto",  # open on a desktop, closed on a phone
)

if not access.require_sign_in(shell.secrets()):
    st.stop()

context = shell.build_context()
st.session_state["_context"] = context

sections: dict[str, list[st.Page]] = {}
if context.source("aymara") is not None:
    sections["Aymara"] = [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/regressions.py", title="Regressions", icon=":material/trending_down:"),
        st.Page("pages/evals.py", title="Evals", icon=":material/checklist:"),
        st.Page("pages/runs.py", title="Runs", icon=":material/play_circle:"),
        st.Page("pages/responses.py", title="Responses", icon=":material/chat:"),
        st.Page("pages/compare.py", title="Compare runs", icon=":material/compare_arrows:"),
        st.Page("pages/calibration.py", title="Judge calibration", icon=":material/tune:"),
        st.Page("pages/review.py", title="Review queue", icon=":material/rate_review:"),
        st.Page("pages/reports.py", title="Reports", icon=":material/description:"),
        st.Page("pages/score.py", title="Score responses", icon=":material/upload_file:"),
    ]
if context.source("feather") is not None:
    sections["Feather"] = [
        st.Page(
            "pages/feather.py",
            title="Conversation evals",
            icon=":material/forum:",
            default="Aymara" not in sections,
        ),
    ]

page = st.navigation(sections)
shell.render_sidebar(context)
page.run()
