"""Reference numbers for the homework, copied from their sources (never from expnet's output).

docs/design.md, "The homework network, read from the seed":
    Exact values: a1 = 0.8807970780, a2 = 0.6224593312, z = -1.2648505651,
    p = 0.2822814757; dJ/dW(2)_11 = 0.070184405 - 0.248632699 y;
    dJ/dW(1)_11 = -0.012549279 + 0.044456616 y

(An earlier copy of the notes printed p = 0.2822814836, which is not e^z: by hand,
e^-1.2648505651 = 0.2822814757, and the gradients agree with that value, p²·a1 =
0.0701844052.)
"""

X = (0.5, -0.5)
W1 = ((4.0, 4.0), (1.0, -2.0))
B1 = (2.0, -1.0)
W2 = ((-3.0, -1.0),)
B2 = (2.0,)

A1 = 0.8807970780
A2 = 0.6224593312
Z = -1.2648505651
P = 0.2822814757  # p = e^z (the seed), to the 10 decimals given

# dJ/dW2_11 = const + coef * y and dJ/dW1_11 = const + coef * y, to the 9 decimals given.
DW2_11 = (0.070184405, -0.248632699)
DW1_11 = (-0.012549279, 0.044456616)
#: The exact values are given to 9 decimals (10 for the forward values): 1e-9 is their last digit.
ATOL = 1e-9

# The seed, rounding every intermediate to 3 decimals (docs/design.md: "The seed rounds each
# intermediate value to 3 decimals and carries the rounded value on").
ROUNDED = {"a1": 0.881, "a2": 0.622, "z": -1.265, "p": 0.282}
DW2_11_ROUNDED = (0.070060644, -0.248442)
DW1_11_ROUNDED = (-0.01250582, 0.04434689)
#: The seed truncates -0.012505825 to -0.01250582 and 0.044346897 to 0.04434689: the digits
#: it shows are right to their last place, which is 1e-8.
ATOL_ROUNDED_W1 = 1e-8
