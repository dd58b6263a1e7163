using System.Diagnostics;

namespace AgentFunctions.Bench;

/// <summary>
/// How many small files per second this disk creates the way the artifact store does (temp file, write,
/// rename into place): every task writes several, so this rate bounds the server on this machine.
/// </summary>
internal static class FileCreationProbe
{
    public static double FilesPerSecond(int count)
    {
        var directory = Path.Combine(Path.GetTempPath(), "agentfunctions-bench-probe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var content = new byte[600];
        try
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                var temp = Path.Combine(directory, $".tmp-{i}");
                using (var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write))
                {
                    RandomAccess.Write(handle, content, 0);
                }

                File.Move(temp, Path.Combine(directory, $"file-{i}.md"));
            }

            return count / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
