using System.CommandLine;
using UvmDiff.Harness.Map;
using UvmDiff.Spec.Map;

namespace UvmDiff.Cli;

/// <summary>uvmdiff maps FILE: load a /proc/PID/maps capture into the reference map and print it.</summary>
public static class MapsCommand
{
    public static Command Create(Func<Func<int>, int> guard)
    {
        var file = new Argument<string>("file") { Description = "a /proc/PID/maps capture" };
        var command = new Command(
            "maps",
            "load a /proc/PID/maps capture into the map layer's reference and print the map"
        )
        {
            file,
        };
        command.SetAction(pr => guard(() => Run(pr.GetValue(file)!)));
        return command;
    }

    public static int Run(string path)
    {
        var ops = ProcMaps.Load(path);
        var side = new MapSide("reference", new ReferenceMap());
        side.Reset();
        foreach (var op in ops)
        {
            var outcome = side.Apply(op);
            if (outcome.Kind != Harness.Core.OutcomeKind.Ok)
                throw new UsageException($"{path}: {op} returned {outcome}");
        }
        if (side.CheckAllInvariants() is { } broken)
            throw new UsageException($"{path}: the loaded map is not sane: {broken}");
        Console.Write(MapTable.Render(side.Machine));
        return 0;
    }
}
