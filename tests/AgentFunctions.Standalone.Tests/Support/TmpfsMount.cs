using System.Diagnostics;
using System.Globalization;
using AgentFunctions.Testing;

namespace AgentFunctions.Standalone.Tests.Support;

/// <summary>A tmpfs of a given size mounted on a fresh folder, to fill up for real; unmounted and removed on dispose.</summary>
internal sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    public static TmpfsMount Create(long megabytes)
    {
        var path = TempPaths.NewDirectory("tmpfs");
        Run("mount", "-t", "tmpfs", "-o", string.Create(CultureInfo.InvariantCulture, $"size={megabytes}m"), "tmpfs", path);
        return new TmpfsMount(path);
    }

    /// <summary>Writes a file of zeros until the filesystem keeps only about <paramref name="leaveBytes"/> free (0: until it is full).</summary>
    public string Fill(string name, long leaveBytes)
    {
        var file = System.IO.Path.Combine(Path, name);
        using var handle = File.OpenHandle(file, FileMode.Create, FileAccess.Write);
        var chunk = new byte[64 * 1024];
        long offset = 0;
        try
        {
            while (new DriveInfo(Path).AvailableFreeSpace > leaveBytes + chunk.Length)
            {
                RandomAccess.Write(handle, chunk, offset);
                offset += chunk.Length;
            }

            while (leaveBytes == 0)
            {
                // The last pages, a block at a time, until the filesystem says no.
                RandomAccess.Write(handle, chunk.AsSpan(0, 4096), offset);
                offset += 4096;
            }
        }
        catch (IOException)
        {
            // No space left on device: exactly what was asked for.
        }

        return file;
    }

    public void Dispose()
    {
        Run("umount", "-l", Path);
        TempPaths.TryDelete(Path);
    }

    private static void Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} failed: {error}");
    }
}
