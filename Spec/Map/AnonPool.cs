namespace UvmDiff.Spec.Map;

/// <summary>
/// Where amaps and anons get their numbers: one pool per map on its own, one per kernel when processes
/// share anons (fork), so that an anon has one number in every map that holds it. Numbers are handed out
/// in allocation order, which every side follows (each runs the kernel's control flow).
/// </summary>
public sealed class AnonPool
{
    public int NextAmap = 1;
    public int NextAnon = 1;

    public void Reset() => NextAmap = NextAnon = 1;
}
