namespace UvmDiff.Spec.Pages;

/// <summary>uvmexp.h: the page and swap counters this layer maintains.</summary>
public sealed class UvmExp
{
    /// <summary>
    /// Pages free. The kernel's uvm_pagefree hands most pages to a per-CPU cache (uvm_pmr_cache_put)
    /// counted in uvmexp.percpucaches, not uvmexp.free; this machine has one free cache and no per-CPU
    /// split, so this is the kernel's free + percpucaches.
    /// </summary>
    public int Free;
    public int Active;
    public int Inactive;

    /// <summary>Pages with wire_count &gt; 0 (atomic in the kernel since the page-queue lock was pushed down).</summary>
    public int Wired;

    /// <summary>Swap slots allocated, including those marked bad.</summary>
    public int SwpgInUse;

    /// <summary>Swap slots whose page is not resident: the only copy of the data.</summary>
    public int SwpgOnly;

    /// <summary>The counters of a machine with <paramref name="frames"/> free pages and nothing else.</summary>
    public void Reset(int frames)
    {
        Free = frames;
        Active = Inactive = Wired = SwpgInUse = SwpgOnly = 0;
    }
}
