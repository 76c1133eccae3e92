"""Neural-network playground: page config and navigation, nothing else."""
import streamlit as st

# A presenter's link opens with the sidebar folded: the projected page is the network, not its controls.
st.set_page_config(page_title="Neural-network playground", page_icon=":material/neurology:", layout="wide",
                   initial_sidebar_state="collapsed" if st.query_params.get("present") == "1" else "auto")
st.navigation([st.Page("app_pages/home.py", title="Home", icon=":material/home:", default=True),
               st.Page("app_pages/lessons.py", title="Lessons", icon=":material/school:", url_path="lessons"),
               st.Page("app_pages/mlp.py", title="MLP playground", icon=":material/hub:", url_path="mlp"),
               st.Page("app_pages/cnn.py", title="CNN playground", icon=":material/grid_on:", url_path="cnn"),
               st.Page("app_pages/rnn.py", title="RNN playground", icon=":material/timeline:", url_path="rnn"),
               st.Page("app_pages/autoencoder.py", title="Autoencoder", icon=":material/compress:",
                       url_path="autoencoder")]).run()
