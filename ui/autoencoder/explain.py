"""Plain-words explanations of what the autoencoder page shows."""
AUTOENCODER_TEXT = """
**Learning without labels.** An autoencoder is trained to rebuild its input: the target of every
image is the image itself. No label is ever given. In between, every image must pass through a
narrow *code*: here 2 numbers by default. To rebuild 784 pixels from 2 numbers, the network has to
find what matters about an image, and images that look alike get codes that lie close together.

**Encoder and decoder.** The first half (the encoder) squeezes an image into its code; the second
half (the decoder) makes an image from a code. The top row shows test images, the row under it
what the network rebuilds of them.

**The code plane.** Every test image is a dot at its code. The colours are the labels, used only
to paint the dots: watch digits of one kind gather while the network trains (click a label below the
plane, or press its digit key on the plane, to see that label's codes alone). "Grouped by digit"
measures it: the share of images whose five nearest codes are mostly of their own kind. Click or
drag anywhere on the plane: the decoder turns that point into an image, even where no test image
lies. The grid fills the plane with such images. With a code of more than 2 units the plane shows
the codes' first two principal components (the two directions in which they spread most); a click
there decodes the code at that place of those two directions, the mean code in all others.

**Anomalies.** An image unlike the ones trained on is rebuilt badly: its reconstruction error is
high. The histogram shows the error of every test image; an image of another kind (a bar among
digits) or noise lands far to the right. That is how autoencoders detect anomalies: the flip side
of finding what is alike. Draw a digit of your own on the pad under the histogram: its error is marked
in the histogram and its code in the plane.

**Variational.** A variational autoencoder's code layer gives a mean and a spread for each unit;
while training, the code is drawn at random around the mean, and a penalty (the KL divergence,
weighted by β) pulls the codes toward a standard normal distribution. The plane becomes smooth and
full, so points between the dots decode to plausible new images. The dashed rings mark that
distribution at 1 and 2 standard deviations; the KL divergence has its own curve under the view.

**Denoising.** Noise is added to the input while training and the clean image is asked for: the
network learns to remove noise. The view then shows each test image, the same image with noise,
and what the network makes of the noisy one.
"""
