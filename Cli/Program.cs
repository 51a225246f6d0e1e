using System.CommandLine;
using UvmDiff.Cli;

return UvmDiffCommand.Run(args);
