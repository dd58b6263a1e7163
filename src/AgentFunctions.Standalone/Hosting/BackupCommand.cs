using System.Globalization;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Standalone.Storage;
using Microsoft.Data.Sqlite;

namespace AgentFunctions.Standalone.Hosting;

/// <summary>
/// <c>backup TARGET [--Standalone:DataDirectory DIR]</c>: a consistent copy of the data directory into a new or empty
/// folder, safe while a server runs on it (<see cref="DataDirectoryBackup"/>). To restore, stop the server and start
/// it on the copy. Exit 0 when done, 1 when the copy failed, 2 for arguments it cannot read.
/// </summary>
public static class BackupCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        StandaloneOptions options;
        string target;
        try
        {
            var parsed = VerbArguments.Parse("backup", args, maxValues: 1);
            if (parsed.Values.Count == 0)
            {
                throw new FormatException("backup: name the folder to copy into");
            }

            options = parsed.Options;
            target = Path.GetFullPath(parsed.Values[0]);
            var source = Path.GetFullPath(options.DataDirectory);
            if (File.Exists(target) || (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any()))
            {
                throw new FormatException($"backup: {target} must be a new or empty folder");
            }

            if ((target + Path.DirectorySeparatorChar).StartsWith(source + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw new FormatException($"backup: {target} is inside the data directory {source}");
            }
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

        try
        {
            var result = DataDirectoryBackup.Run(options, target);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"backed up {result.Tasks} tasks, {result.ArtifactFiles} artifact files and {result.DeadLetters} dead letters to {target}"));
            return 0;
        }
        catch (SqliteException ex)
        {
            await error.WriteLineAsync("backup failed: " + DataDirectoryGuard.Describe(ex, Path.GetFullPath(options.DatabasePath)));
            return 1;
        }
        catch (Exception ex) when (ex is DataDirectoryException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync("backup failed: " + ex.Message);
            return 1;
        }
    }
}
