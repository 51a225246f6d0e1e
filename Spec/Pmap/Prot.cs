namespace UvmDiff.Spec.Pmap;

/// <summary>vm_prot_t: PROT_READ 0x1, PROT_WRITE 0x2, PROT_EXEC 0x4 (sys/mman.h).</summary>
[Flags]
public enum Prot : byte
{
    None = 0,
    Read = 1,
    Write = 2,
    Exec = 4,
    All = 7,
}

/// <summary>The two machines simulated; each has a row in <see cref="PmapProfile"/>.</summary>
public enum Arch : byte
{
    Amd64,
    Arm64,
}

/// <summary>Replay syntax for protections: <c>rwx</c>, <c>r_x</c>, <c>___</c>.</summary>
public static class ProtText
{
    public static string Of(Prot prot) =>
        string.Create(
            3,
            prot,
            (span, p) =>
            {
                span[0] = (p & Prot.Read) != 0 ? 'r' : '_';
                span[1] = (p & Prot.Write) != 0 ? 'w' : '_';
                span[2] = (p & Prot.Exec) != 0 ? 'x' : '_';
            }
        );

    /// <summary>=> null when <paramref name="text"/> is not three characters of r/w/x or '-'</summary>
    public static Prot? Parse(string text)
    {
        if (text.Length != 3)
            return null;
        var prot = Prot.None;
        for (int i = 0; i < 3; i++)
        {
            char expected = "rwx"[i];
            if (text[i] == expected)
                prot |= (Prot)(1 << i);
            else if (text[i] != '_')
                return null;
        }
        return prot;
    }
}
