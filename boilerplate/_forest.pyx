# cython: language_level=3, boundscheck=False, wraparound=False
"""A LightGBM binary model's trees evaluated in C, from its text format: the same decisions as LightGBM's
Tree::NumericalDecision / CategoricalDecision, the same double sums in tree order and the same sigmoid,
so the probabilities are bit for bit LightGBM's (tested), at less cost per call and per row."""

cimport cython
import numpy as np

from libc.math cimport exp, isnan, fabs

cdef double ZERO = <double><float>1e-35  # LightGBM's kZeroThreshold (a float)
cdef enum:
    CHUNK = 64  # rows evaluated together, tree by tree (each tree stays in cache)


cdef struct Node:
    double threshold  # categorical: the index of the node's bitset in cat_bound
    int feature
    int left
    int right
    int nan_child  # a simple node's child for NaN
    signed char decision
    signed char simple  # numerical with missing type None (NaN read as 0.0) or NaN (default side)


@cython.boundscheck(True)
@cython.wraparound(True)
def _check_tree(dict tree, int leaves, int n_features):
    """ValueError unless a tree's arrays fit its leaf count and its children lead down to leaves (each
    inner child after its parent), so that evaluating it stays inside its arrays and ends."""
    if leaves < 1 or len(tree["leaf_value"].split()) != leaves:
        raise ValueError(f"a tree of {leaves} leaves with {len(tree['leaf_value'].split())} leaf values")
    if leaves == 1:  # (a tree of one leaf: LightGBM writes its other arrays empty or not at all)
        return
    inner = leaves - 1
    for key, n in (("leaf_weight", leaves), ("leaf_count", leaves), ("internal_value", inner), ("split_gain", inner),
                   ("internal_weight", inner), ("internal_count", inner)):  # (LightGBM reads them all)
        if key in tree and len(tree[key].split()) != n:
            raise ValueError(f"a tree of {leaves} leaves whose {key} is not {n} long")
    columns = {key: tree[key].split() for key in ("split_feature", "threshold", "decision_type",
                                                  "left_child", "right_child")}
    if any(len(v) != inner for v in columns.values()):
        raise ValueError(f"a tree of {leaves} leaves whose node arrays are not {inner} long")
    for node, (left, right) in enumerate(zip(columns["left_child"], columns["right_child"])):
        for child in (int(left), int(right)):
            if not (child < 0 and ~child < leaves) and not (node < child < inner):
                raise ValueError(f"node {node} of a tree has child {child}")
    for f in columns["split_feature"]:
        if not 0 <= int(f) < n_features:
            raise ValueError("a split on a feature the model does not have")
    n_cat = int(tree.get("num_cat", "0"))
    if n_cat > 0:
        bounds = [int(v) for v in tree["cat_boundaries"].split()]
        if (len(bounds) != n_cat + 1 or bounds[0] != 0 or bounds != sorted(bounds)
                or bounds[-1] != len(tree["cat_threshold"].split())):
            raise ValueError("a tree's categorical bitsets do not match their boundaries")
    for t, kind in zip(columns["threshold"], columns["decision_type"]):
        if int(kind) & 1 and not 0 <= int(float(t)) < n_cat:
            raise ValueError("a categorical split on a bitset the tree does not have")


cdef class Forest:
    """The trees of one booster (model text as `Booster.model_to_string` writes it)."""

    cdef int[::1] node_start, leaf_start, n_leaves, cat_bound
    cdef double[::1] leaf
    cdef Node[::1] nodes
    cdef unsigned int[::1] cat_bits
    cdef double sigmoid
    cdef public int n_features

    def __init__(self, str text):
        head, _, body = text.partition("\nTree=")
        body = body.partition("\nend of trees")[0]
        fields = dict(line.split("=", 1) for line in head.splitlines() if "=" in line)
        if "tree_sizes" in fields:  # (LightGBM cuts the trees by these sizes, and aborts when they are off)
            sizes = [len(("Tree=" + block + "\n").encode()) for block in body.split("\nTree=")] if body else []
            if [int(v) for v in fields["tree_sizes"].split()] != sizes:
                raise ValueError("its trees are not the sizes its header says")
        objective = fields.get("objective", "").split()
        if not objective or objective[0] != "binary" or fields.get("num_class", "1") != "1":
            raise ValueError(f"not a binary model: objective {fields.get('objective')!r}")
        self.sigmoid = next((float(o.split(":")[1]) for o in objective[1:] if o.startswith("sigmoid:")), 1.0)
        self.n_features = int(fields["max_feature_idx"]) + 1
        node_start, leaf_start, n_leaves = [0], [0], []
        feature, threshold, decision, left, right, leaf = [], [], [], [], [], []
        cat_bound, cat_bits = [0], []
        for block in body.split("\nTree=") if body else []:
            tree = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
            if tree.get("is_linear", "0") != "0":
                raise ValueError("linear trees are not supported")
            leaves = int(tree["num_leaves"])
            _check_tree(tree, leaves, int(fields["max_feature_idx"]) + 1)
            n_leaves.append(leaves)
            leaf += [float(v) for v in tree["leaf_value"].split()]
            if leaves > 1:
                bounds_base, cat_base = len(cat_bound) - 1, len(cat_bits)
                if int(tree.get("num_cat", "0")) > 0:
                    bounds = [int(v) for v in tree["cat_boundaries"].split()]
                    cat_bound += [cat_base + b for b in bounds[1:]]
                    cat_bits += [int(v) for v in tree["cat_threshold"].split()]
                kinds = [int(v) for v in tree["decision_type"].split()]
                for t, kind in zip(tree["threshold"].split(), kinds):
                    # a categorical node's threshold is the index of its bitset among this tree's
                    threshold.append(float(bounds_base + int(float(t))) if kind & 1 else float(t))
                decision += kinds
                feature += [int(v) for v in tree["split_feature"].split()]
                left += [int(v) for v in tree["left_child"].split()]
                right += [int(v) for v in tree["right_child"].split()]
            node_start.append(len(feature))
            leaf_start.append(len(leaf))
        if not n_leaves:
            raise ValueError("no trees")
        self.node_start = np.asarray(node_start, dtype=np.int32)
        self.leaf_start = np.asarray(leaf_start, dtype=np.int32)
        self.n_leaves = np.asarray(n_leaves, dtype=np.int32)
        nodes = np.zeros(max(len(feature), 1), dtype=np.dtype([("threshold", "f8"), ("feature", "i4"),
                                                               ("left", "i4"), ("right", "i4"),
                                                               ("nan_child", "i4"), ("decision", "i1"),
                                                               ("simple", "i1")], align=True))
        if feature:
            nodes["threshold"], nodes["feature"], nodes["decision"] = threshold, feature, decision
            nodes["left"], nodes["right"] = left, right
            kinds = np.asarray(decision, dtype=np.int64)
            missing = (kinds >> 2) & 3
            default_left = (kinds & 2) != 0
            nodes["simple"] = ((kinds & 1) == 0) & (missing != 1)
            # missing None: NaN is read as 0.0; missing NaN: it takes the default side
            nan_left = np.where(missing == 2, default_left, 0.0 <= np.asarray(threshold))
            nodes["nan_child"] = np.where(nan_left, left, right)
        self.nodes = nodes
        self.leaf = np.asarray(leaf, dtype=np.float64)
        self.cat_bound = np.asarray(cat_bound, dtype=np.int32)
        self.cat_bits = np.asarray(cat_bits or [0], dtype=np.uint32)
        if max(feature or [0]) >= self.n_features:
            raise ValueError("a split on a feature the model does not have")

    def predict(self, const float[:, ::1] X):
        """Probability of the positive class for each row of X (float32, C order)."""
        cdef Py_ssize_t n = X.shape[0], m = X.shape[1], i, j, lo, hi
        cdef int t, n_trees = self.n_leaves.shape[0]
        out = np.empty(n, dtype=np.float64)
        cdef double[::1] res = out
        cdef double[:, ::1] rows = np.zeros((CHUNK, m), dtype=np.float64)
        cdef double[CHUNK] acc
        cdef double v
        cdef const Node* nodes = &self.nodes[0]
        cdef const double* leaf = &self.leaf[0]
        cdef const int* cat_bound = &self.cat_bound[0]
        cdef const unsigned int* cat_bits = &self.cat_bits[0]
        cdef const int* node_start = &self.node_start[0]
        cdef const int* leaf_start = &self.leaf_start[0]
        cdef const int* n_leaves = &self.n_leaves[0]
        if m != self.n_features:
            raise ValueError(f"X has {m} columns, the model {self.n_features}")
        with nogil:
            lo = 0
            while lo < n:
                hi = min(lo + CHUNK, n)
                for i in range(lo, hi):
                    acc[i - lo] = 0.0
                    for j in range(m):
                        v = X[i, j]
                        rows[i - lo, j] = 0.0 if fabs(v) <= ZERO else v  # as LightGBM reads rows
                for t in range(n_trees):  # in tree order: each row's sum adds the trees as LightGBM does
                    if n_leaves[t] <= 1:
                        for i in range(hi - lo):
                            acc[i] += leaf[leaf_start[t]]
                        continue
                    for i in range(hi - lo):
                        acc[i] += leaf[leaf_start[t] + _leaf(nodes + node_start[t], cat_bound, cat_bits,
                                                             &rows[i, 0])]
                for i in range(lo, hi):
                    res[i] = 1.0 / (1.0 + exp(-self.sigmoid * acc[i - lo]))
                lo = hi
        return out


cdef inline int _leaf(const Node* nodes, const int* cat_bound, const unsigned int* cat_bits,
                      const double* row) noexcept nogil:
    """The leaf a row reaches in one tree (LightGBM's Tree::GetLeaf with its Decision rules)."""
    cdef int node = 0, word, value, cat, missing
    cdef const Node* nd
    cdef double fval
    while node >= 0:
        nd = nodes + node
        fval = row[nd.feature]
        if nd.simple:  # numerical, missing type None or NaN (nearly every node)
            if fval <= nd.threshold:
                node = nd.left
            elif fval > nd.threshold:
                node = nd.right
            else:  # NaN
                node = nd.nan_child
        elif nd.decision & 1:  # categorical
            missing = (nd.decision >> 2) & 3
            if isnan(fval):
                if missing == 2:
                    node = nd.right
                    continue
                value = 0
            else:
                value = <int>fval
                if value < 0:
                    node = nd.right
                    continue
            word = value >> 5
            cat = <int>nd.threshold
            if word < cat_bound[cat + 1] - cat_bound[cat] and (cat_bits[cat_bound[cat] + word] >> (value & 31)) & 1:
                node = nd.left
            else:
                node = nd.right
        else:  # numerical, missing type Zero: NaN and (near) zero take the default side
            if isnan(fval) or (fval >= -ZERO and fval <= ZERO):
                node = nd.left if nd.decision & 2 else nd.right
            elif fval <= nd.threshold:
                node = nd.left
            else:
                node = nd.right
    return ~node
