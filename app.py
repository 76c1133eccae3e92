"""Neural-network playground: page config and navigation, nothing else."""
import streamlit as st

st.set_page_config(page_title="Neural-network playground", page_icon="🧠", layout="wide")
st.navigation([st.Page("pages/home.py", title="Home", icon="🏠", default=True)]).run()
