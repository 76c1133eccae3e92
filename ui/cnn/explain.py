"""Plain-words explanations of what the CNN page shows."""
CNN_TEXT = """
**Kernels.** A convolution layer holds a few small grids of weights, the *kernels* (3×3 by default).
Each kernel slides over its input, one position at a time; at every position it multiplies the
pixels under it by its weights, adds them up with a bias, and passes the sum through an activation
such as ReLU. Click any cell of a feature map to see exactly that computation with the numbers.

**Feature maps.** Sliding one kernel over the whole image gives one *feature map*: bright (blue)
where the image looks like what the kernel looks for, an edge or a stroke in one direction. With
Bars, watch the first kernels become line detectors within seconds.

**Pooling.** A 2×2 pooling keeps the largest (max) or the mean (average) of each window: the maps
shrink by half and a feature may move a pixel without changing the result.

**Deeper layers.** The second conv layer's kernels see every map of the first at once (one slice per
channel), so they combine simple features into shapes: loops, crossings, corners.

**Softmax.** The last layer gives one number per class; the *softmax* turns them into probabilities
that add up to 100 %. Training nudges every kernel so the right class's probability grows.

**Confusion.** The confusion matrix counts the test images by true class (rows) and prediction
(columns): the mistakes off the diagonal are where two digits look alike to the network.
"""

