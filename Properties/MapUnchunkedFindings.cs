using UvmDiff.Harness.Core;
using UvmDiff.Harness.Map;
using UvmDiff.Implementations;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>What comparing UnchunkedAmap with the kernel's chunking on the process-visible level found.</summary>
public class MapUnchunkedFindings
{
    /// <summary>
    /// mlock re-wires an already-wired first entry whole (uvm_map_pageable mirrors this quirk), so how
    /// far that entry reaches decides which pages gain a wire. Chunking at fault time puts an entry
    /// boundary at 0x110000 that an unchunked map does not have: mlock from there re-wires
    /// [0x10c000, 0x110000) too without chunking: those pages end with two wires instead of one, and stay
    /// wired after a munlock. This is why the process-visible level leaves wiring out.
    /// </summary>
    [Fact]
    public void MlockFromAChunkBoundary_OfAWiredRange_WiresMorePagesWithoutChunking()
    {
        MapOp[] ops =
        [
            MapOpParser.Parse("Mmap(addr: 0x100000, size: 0x100000, prot: RW, kind: Private)"),
            MapOpParser.Parse("Fault(addr: 0x100000, write: true)"),
            MapOpParser.Parse("Mlock(addr: 0x10c000, size: 0x8000)"),
            MapOpParser.Parse("Mlock(addr: 0x110000, size: 0x8000)"),
        ];
        var chunked = new Harness.Map.MapSide(
            "chunked",
            new Implementations.Map.TreeVmMap(new Implementations.Map.RbTreeIndex(), FaultSet.None)
        );
        var unchunked = new Harness.Map.MapSide(
            "unchunked",
            new Implementations.Map.TreeVmMap(new Implementations.Map.RbTreeIndex(), FaultSet.None, chunkAtFault: false)
        );
        foreach (var side in new[] { chunked, unchunked })
        {
            side.Reset();
            foreach (var op in ops)
                Assert.Equal(Outcome.Ok, side.Apply(op));
        }
        Assert.Contains("anon 2 refs 1 wired 1", chunked.Observe());
        Assert.Contains("anon 2 refs 1 wired 2", unchunked.Observe());
        Assert.Null(new Differential<MapOp>(MapLayer.Unchunked, FaultSet.None).Run(ops));
    }
}
