"""Reference numbers for the homework, copied from their sources (never from expnet's output).

DESIGN.md, "The homework network, read from the seed":
    Exact values: a1 = 0.8807970780, a2 = 0.6224593312, z = -1.2648505653,
    p = 0.2822814836; dJ/dW(2)_11 = 0.070184405 - 0.248632699 y;
    dJ/dW(1)_11 = -0.012549279 + 0.044456616 y

DESIGN.md's p disagrees with its own z in the 9th digit: e^-1.2648505653 = 0.28228147564
(the seed defines p = e^z), and its gradients match that value (p²·a1 = 0.0701844052 with
p = 0.2822814757, but 0.0701844091 with 0.2822814836). So P is taken as e^Z here.
"""

import math

X = (0.5, -0.5)
W1 = ((4.0, 4.0), (1.0, -2.0))
B1 = (2.0, -1.0)
W2 = ((-3.0, -1.0),)
B2 = (2.0,)

A1 = 0.8807970780
A2 = 0.6224593312
Z = -1.2648505653
P = math.exp(Z)  # p = e^z (the seed); DESIGN.md prints 0.2822814836, see above

# dJ/dW2_11 = const + coef * y and dJ/dW1_11 = const + coef * y, to the 9 decimals given.
DW2_11 = (0.070184405, -0.248632699)
DW1_11 = (-0.012549279, 0.044456616)
#: The exact values are given to 9 decimals (10 for the forward values): 1e-9 is their last digit.
ATOL = 1e-9

# The seed, rounding every intermediate to 3 decimals (DESIGN.md: "The seed rounds each
# intermediate value to 3 decimals and carries the rounded value on").
ROUNDED = {"a1": 0.881, "a2": 0.622, "z": -1.265, "p": 0.282}
DW2_11_ROUNDED = (0.070060644, -0.248442)
DW1_11_ROUNDED = (-0.01250582, 0.04434689)
#: The seed truncates -0.012505825 to -0.01250582 and 0.044346897 to 0.04434689: the digits
#: it shows are right to their last place, which is 1e-8.
ATOL_ROUNDED_W1 = 1e-8
