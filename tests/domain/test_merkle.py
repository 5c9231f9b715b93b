"""Our stored-subtree Merkle math agrees with pymerkle and with the RFC 9162 verifier."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import pymerkle
import pytest

from audit.merkle import (
    Key,
    MemoryNodeStore,
    TreeBuilder,
    consistency_proof,
    inclusion_proof,
    new_nodes,
    root,
)
from ledger.verify import leaf_hash, node_hash, verify_consistency, verify_inclusion
from ledger.verify.ranges import subtrees

MAX = 64
SIZES = range(1, MAX + 1)


def entry(i: int) -> bytes:
    return f"event {i}".encode()


@pytest.fixture(scope="module")
def reference() -> pymerkle.InmemoryTree:
    tree = pymerkle.InmemoryTree(algorithm="sha256", disable_security=False)
    for i in range(MAX):
        tree.append_entry(entry(i))
    return tree


@pytest.fixture(scope="module")
def store() -> MemoryNodeStore:
    nodes = MemoryNodeStore()
    for i in range(MAX):
        nodes.put_many(new_nodes(i, leaf_hash(entry(i)), nodes))
    return nodes


class CountingStore:
    """A store of a huge tree that invents every node's hash and counts the reads."""

    def __init__(self) -> None:
        self.reads = 0

    def get(self, level: int, index: int) -> bytes:
        return self.get_many([(level, index)])[(level, index)]

    def get_many(self, keys: Sequence[Key]) -> dict[Key, bytes]:
        self.reads += len(keys)
        return {key: hashlib.sha256(repr(key).encode()).digest() for key in keys}


def test_pymerkle_hashes_leaves_and_nodes_as_rfc6962(reference: pymerkle.InmemoryTree) -> None:
    left, right = leaf_hash(entry(0)), leaf_hash(entry(1))

    state = reference.get_state(2)

    assert reference.get_leaf(1) == hashlib.sha256(b"\x00" + entry(0)).digest() == left
    assert state == hashlib.sha256(b"\x01" + left + right).digest() == node_hash(left, right)


def test_the_empty_tree_has_the_hash_of_the_empty_string() -> None:
    empty = MemoryNodeStore()

    result = root(0, empty)

    assert result == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("size", SIZES)
def test_root_equals_pymerkle_state(
    size: int, reference: pymerkle.InmemoryTree, store: MemoryNodeStore
) -> None:
    expected = reference.get_state(size)

    result = root(size, store)

    assert result == expected


@pytest.mark.parametrize("size", SIZES)
def test_every_inclusion_proof_verifies_and_equals_pymerkle_path(
    size: int, reference: pymerkle.InmemoryTree, store: MemoryNodeStore
) -> None:
    tree_root = reference.get_state(size)

    proofs = [inclusion_proof(i, size, store) for i in range(size)]

    for i, proof in enumerate(proofs):
        assert verify_inclusion(leaf_hash(entry(i)), i, size, proof, tree_root)
        assert proof == reference.prove_inclusion(i + 1, size).path[1:]


@pytest.mark.parametrize("size2", SIZES)
def test_every_consistency_proof_verifies_against_pymerkle_states(
    size2: int, reference: pymerkle.InmemoryTree, store: MemoryNodeStore
) -> None:
    root2 = reference.get_state(size2)

    proofs = {size1: consistency_proof(size1, size2, store) for size1 in range(size2 + 1)}

    for size1, proof in proofs.items():
        root1 = reference.get_state(size1) if size1 else hashlib.sha256(b"").digest()
        assert verify_consistency(size1, size2, proof, root1, root2), (size1, size2)


@pytest.mark.parametrize("size2", SIZES)
def test_pymerkle_consistency_proofs_resolve_to_our_roots(
    size2: int, reference: pymerkle.InmemoryTree, store: MemoryNodeStore
) -> None:
    ours = [root(size, store) for size in range(size2 + 1)]

    proofs = [reference.prove_consistency(size1, size2) for size1 in range(1, size2 + 1)]

    for size1, proof in enumerate(proofs, start=1):
        pymerkle.verify_consistency(ours[size1], ours[size2], proof)


def test_inclusion_fails_for_a_wrong_index_root_size_or_proof_length(
    store: MemoryNodeStore,
) -> None:
    size, index = 45, 17
    proof, good_root = inclusion_proof(index, size, store), root(size, store)
    leaf = leaf_hash(entry(index))

    outcomes = {
        "good": verify_inclusion(leaf, index, size, proof, good_root),
        "wrong index": verify_inclusion(leaf, index + 1, size, proof, good_root),
        "wrong root": verify_inclusion(leaf, index, size, proof, root(44, store)),
        "size of another shape": verify_inclusion(leaf, index, 32, proof, good_root),
        "truncated": verify_inclusion(leaf, index, size, proof[:-1], good_root),
        "extended": verify_inclusion(leaf, index, size, [*proof, good_root], good_root),
        "wrong leaf": verify_inclusion(leaf_hash(entry(18)), index, size, proof, good_root),
        "index past end": verify_inclusion(leaf, size, size, proof, good_root),
    }

    assert outcomes == {name: name == "good" for name in outcomes}


def test_consistency_fails_for_wrong_roots_sizes_or_proof_length(
    store: MemoryNodeStore,
) -> None:
    proof, root1, root2 = consistency_proof(13, 50, store), root(13, store), root(50, store)
    pow2_proof = consistency_proof(16, 50, store)

    outcomes = {
        "good": verify_consistency(13, 50, proof, root1, root2),
        "wrong old root": verify_consistency(13, 50, proof, root(12, store), root2),
        "wrong new root": verify_consistency(13, 50, proof, root1, root(49, store)),
        "wrong old size": verify_consistency(12, 50, proof, root1, root2),
        "truncated": verify_consistency(13, 50, proof[:-1], root1, root2),
        "extended": verify_consistency(13, 50, [*proof, root1], root1, root2),
        "empty": verify_consistency(13, 50, [], root1, root2),
        "reversed sizes": verify_consistency(50, 13, proof, root2, root1),
        "power of two, wrong old root": verify_consistency(16, 50, pow2_proof, root1, root2),
        "same size, different roots": verify_consistency(50, 50, [], root1, root2),
    }

    assert outcomes == {name: name == "good" for name in outcomes}


def test_builder_resumed_at_every_size_completes_the_same_nodes_as_new_nodes(
    store: MemoryNodeStore,
) -> None:
    one_shot = TreeBuilder()
    expected = [new_nodes(i, leaf_hash(entry(i)), store) for i in range(MAX)]

    built = [one_shot.append(leaf_hash(entry(i))) for i in range(MAX)]
    resumed = [TreeBuilder.resume(i, store).append(leaf_hash(entry(i))) for i in range(MAX)]

    assert built == expected == resumed
    assert one_shot.size == MAX and one_shot.root() == root(MAX, store)


def test_bulk_extend_stores_the_same_tree_as_appending_one_leaf_at_a_time(
    store: MemoryNodeStore,
) -> None:
    builder = TreeBuilder.resume(20, store)

    rebuilt = MemoryNodeStore(TreeBuilder().extend(leaf_hash(entry(i)) for i in range(20)))
    rebuilt.put_many(builder.extend(leaf_hash(entry(i)) for i in range(20, MAX)))

    assert rebuilt.nodes == store.nodes
    assert builder.root() == root(MAX, store) == root(MAX, rebuilt)


def test_subtrees_split_a_range_into_aligned_complete_subtrees() -> None:
    ranges = [(0, 0), (0, 13), (8, 13), (12, 13), (5, 12)]

    result = [subtrees(start, end) for start, end in ranges]

    assert result == [
        [],
        [(3, 0), (2, 2), (0, 12)],
        [(2, 2), (0, 12)],
        [(0, 12)],
        [(0, 5), (1, 3), (2, 2)],
    ]


def test_proofs_in_a_log_of_millions_read_only_logarithmically_many_nodes() -> None:
    size = 3_141_592
    operations: dict[str, Callable[[CountingStore], object]] = {
        "root": lambda s: root(size, s),
        "inclusion": lambda s: inclusion_proof(1_234_567, size, s),
        "consistency": lambda s: consistency_proof(2_718_281, size, s),
        "new nodes": lambda s: new_nodes(2**21 - 1, b"x" * 32, s),
        "resume": lambda s: TreeBuilder.resume(size, s),
    }
    reads: dict[str, int] = {}

    for name, operation in operations.items():
        counting = CountingStore()
        operation(counting)
        reads[name] = counting.reads

    assert all(count <= 2 * size.bit_length() for count in reads.values()), reads
