"""The MLP page's own picture: the network with every neuron's map over the input plane and the
output's map large, with the training points (viz.pictures.network); it animates over the epochs."""
import numpy as np

from engine.data import Plane
from engine.plane import PlaneMaps
from viz import pictures as P
from viz.network_view import FEATURE_LABELS, dense_layers, feature_maps, neuron_outputs, output_values

RESOLUTION, STRIDE = 49, 4       # a picture's grid and its tiles' sampling (13 x 13): the canvas's 101 x 101
                                 # grid would make an animation's hundred frames four times slower


def network_view(run):
    return P.View("network", "Network and output", lambda snap, width: network_picture(run, snap, width),
                  animates=True)


def network_picture(run, snap, width=P.SLIDE_WIDTH):
    s, plane = run.settings, Plane(run.plane.features, run.plane.extent, RESOLUTION)
    maps = PlaneMaps(snap, plane)
    features = list(s.features)
    all_inputs = feature_maps(plane.extent, plane.resolution)
    from engine.data import FEATURES
    k = STRIDE
    inputs = [(FEATURE_LABELS[f], all_inputs[list(FEATURES).index(f)][::k, ::k]) for f in features]
    dense = dense_layers(snap)
    hidden = []
    for i in neuron_outputs(snap)[:-1]:           # a batch-normalised neuron: its output after the norm
        m = maps.neuron_maps[i][:, ::k, ::k]
        hidden.append([np.clip(u / (np.abs(u).max() or 1.0), -1, 1) for u in m])
    values = output_values(maps, s.engine_loss, s.classes)
    weights = [snap.params[f"{i}.W"] for i in dense]
    points = [(x / plane.extent, y / plane.extent, label) for (x, y), label in zip(run.train_xy, run.train_labels)]
    return P.network(inputs, hidden, values, weights, points, width=width, classes=s.classes)
