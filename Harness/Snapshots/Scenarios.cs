using System.Text;
using UvmDiff.Harness.Core;

namespace UvmDiff.Harness.Snapshots;

/// <summary>One step of a scenario: ops applied together, then the machine is observed.</summary>
public sealed record ScenarioPhase<TOp>(string Name, IReadOnlyList<TOp> Ops);

/// <summary>A named, hand-written op sequence whose rendering is approved as a snapshot.</summary>
public sealed record Scenario<TOp>(string Name, string Description, IReadOnlyList<ScenarioPhase<TOp>> Phases);

/// <summary>Building scenarios from replay syntax and rendering them, for every layer.</summary>
public static class Scenarios
{
    /// <summary>
    /// Build a scenario from phases of replay-syntax lines (blank lines and '#' comments skipped).
    /// => a line that does not parse fails the type initializer, naming the scenario, phase and line
    /// </summary>
    public static Scenario<TOp> Define<TOp>(
        Func<string, TOp> parse,
        string name,
        string description,
        params (string Name, string Ops)[] phases
    )
    {
        var built = new List<ScenarioPhase<TOp>>(phases.Length);
        foreach (var (phaseName, text) in phases)
        {
            var ops = new List<TOp>();
            foreach (var raw in text.Split('\n'))
            {
                string line = raw.Trim();
                if (line.Length == 0 || line.StartsWith('#'))
                    continue;
                try
                {
                    ops.Add(parse(line));
                }
                catch (FormatException e)
                {
                    throw new InvalidOperationException(
                        $"scenario {name}, phase '{phaseName}': {line}: {e.Message}",
                        e
                    );
                }
            }
            built.Add(new ScenarioPhase<TOp>(phaseName, ops));
        }
        return new Scenario<TOp>(name, description, built);
    }

    /// <summary>The scenario called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static Scenario<TOp>? Find<TOp>(IEnumerable<Scenario<TOp>> scenarios, string name)
    {
        foreach (var scenario in scenarios)
        {
            if (string.Equals(scenario.Name, name, StringComparison.OrdinalIgnoreCase))
                return scenario;
        }
        return null;
    }

    /// <summary>
    /// Reset <paramref name="side"/>, apply the scenario phase by phase and render what happened.
    /// => a title line "# Name: description", then per phase "## phase", each op in replay syntax
    ///    followed by "  => outcome" (with its sleeps), then the observation indented under "observation:"
    /// => a broken invariant after an op is rendered as "  !! invariant: ..." and the run goes on
    /// => a panic or hang ends the run: the machine stopped mid-routine, so neither its state nor the
    ///    later ops are rendered (the runner does not compare sides past that point either)
    /// => the side's name is not rendered: every side of the layer must give the same text
    /// </summary>
    public static string Render<TOp>(ISide<TOp> side, Scenario<TOp> scenario)
    {
        side.Reset();
        var sb = new StringBuilder();
        sb.Append("# ").Append(scenario.Name).Append(": ").Append(scenario.Description).Append('\n');
        foreach (var phase in scenario.Phases)
        {
            sb.Append('\n').Append("## ").Append(phase.Name).Append('\n');
            foreach (var op in phase.Ops)
            {
                var outcome = side.Apply(op);
                sb.Append(op).Append('\n');
                sb.Append("  => ").Append(outcome.Describe(side)).Append('\n');
                if (outcome.IsFatal)
                {
                    sb.Append("the kernel is down: no observation, the rest of the scenario is not run\n");
                    return sb.ToString();
                }
                if (side.CheckAllInvariants() is { } broken)
                    sb.Append("  !! invariant: ").Append(broken).Append('\n');
            }
            sb.Append("observation:\n");
            foreach (var line in side.Observe())
                sb.Append("  ").Append(line).Append('\n');
        }
        return sb.ToString();
    }
}
