import numpy as np
import pytest

from boilerplate.context import CONTEXT_NAMES, DIST_CLIP, context_features
from boilerplate.features import FEATURE_NAMES


def columns(scores, sizes, groups=None, tokens=None):
    n = sum(sizes)
    X = np.zeros((n, len(FEATURE_NAMES)), dtype=np.float32)
    X[:, FEATURE_NAMES.index("n_tokens")] = np.log1p(tokens if tokens is not None else np.zeros(n))
    offsets = np.concatenate(([0], np.cumsum(sizes)))
    groups = np.zeros((n, 3), dtype=np.int32) if groups is None else np.asarray(groups, dtype=np.int32)
    out = context_features(np.asarray(scores), X, offsets, groups)
    return {name: out[:, i].tolist() for i, name in enumerate(CONTEXT_NAMES)}


def test_page_level_columns_stay_within_their_page():
    c = columns([0.9, 0.1, 0.6, 0.2, 0.3], [3, 2])
    assert c["s_page_max"] == [np.float32(0.9)] * 3 + [np.float32(0.3)] * 2
    assert c["s_kept_share"][:3] == [np.float32(2 / 3)] * 3 and c["s_kept_share"][3:] == [0.0, 0.0]
    assert np.isnan(c["s@-1"][0]) and np.isnan(c["s@+1"][2]) and np.isnan(c["s@-1"][3])
    assert c["s@+1"][0] == np.float32(0.1) and c["s@-2"][2] == np.float32(0.9)
    assert c["s_rank"] == [0.0, 1.0, 0.5, 1.0, 0.0]
    assert c["d_best"] == [0, 1, 2, -1, 0]
    assert c["s_win_max"][3] == np.float32(0.3)  # the window does not reach into the previous page


def test_distances_to_kept_blocks():
    c = columns([0.9, 0.1, 0.1, 0.6, 0.1, 0.2], [4, 2])
    assert c["d_kept_prev"][:4] == [0, 1, 2, 0] and c["d_kept_next"][:4] == [0, 2, 1, 0]
    assert all(np.isnan(v) for v in c["d_kept_prev"][4:] + c["d_kept_next"][4:])  # nothing kept there
    far = columns([0.9] + [0.1] * 60, [61])
    assert far["d_kept_prev"][-1] == DIST_CLIP and far["d_kept_next"][-1] == DIST_CLIP


def test_container_means_weigh_blocks_by_tokens():
    # blocks 0 and 1 share a parent; block 1 has 9 tokens (weight 10) against block 0's 0 (weight 1)
    c = columns([1.0, 0.0, 0.5], [3], groups=[[0, 0, 0], [0, 0, 1], [1, 0, 1]], tokens=np.array([0, 9, 0]))
    assert c["s_parent"][:2] == pytest.approx([1 / 11] * 2, rel=1e-5) and c["s_parent"][2] == 0.5
    assert c["s_parent_max"] == [1.0, 1.0, np.float32(0.5)]
    assert c["s_path_max"] == [1.0, np.float32(0.5), np.float32(0.5)]


def test_no_rows_give_no_columns():
    out = context_features(np.zeros(0), np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32), np.array([0]),
                           np.zeros((0, 3), dtype=np.int32))
    assert out.shape == (0, len(CONTEXT_NAMES))


def test_group_ids_outside_their_page_are_refused():
    with pytest.raises(ValueError, match="group id 3 is not below its page's 3 rows"):
        columns([0.5, 0.5, 0.5], [3], groups=[[0, 0, 0], [3, 0, 0], [1, 1, 1]])
