using AgentFunctions.Core.Configuration;
using AgentFunctions.Standalone.Storage;

namespace AgentFunctions.Standalone.Hosting;

/// <summary>
/// <c>check [DIR] [--Standalone:DataDirectory DIR]</c>: verifies a data directory without changing it and prints what
/// it found; exit 0 when it is sound, 1 when it has problems, 2 for arguments it cannot read. Safe while a server
/// runs on the directory (it reads a snapshot).
/// </summary>
public static class CheckCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        StandaloneOptions options;
        try
        {
            var parsed = VerbArguments.Parse("check", args, maxValues: 1);
            options = parsed.Values.Count == 1 ? parsed.Options with { DataDirectory = parsed.Values[0] } : parsed.Options;
        }
        catch (FormatException ex)
        {
            await error.WriteLineAsync($"{ex.Message}. {StandaloneCommandLine.Usage}");
            return StandaloneCommandLine.UsageExitCode;
        }
        catch (InvalidConfigurationException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return StandaloneCommandLine.UsageExitCode;
        }

        var report = DataDirectoryInspection.Run(options);
        foreach (var line in report.Render())
        {
            await output.WriteLineAsync(line);
        }

        return report.IsSound ? 0 : 1;
    }
}
