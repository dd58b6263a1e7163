namespace AgentFunctions.Testing;

/// <summary>Scratch directories under the system temp folder, one per purpose and run, removed best effort.</summary>
public static class TempPaths
{
    /// <summary>Creates and returns a new empty directory named after <paramref name="purpose"/>.</summary>
    public static string NewDirectory(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), "agentfunctions-tests", $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes <paramref name="path"/> and everything in it; a leftover temp directory changes no outcome, so failures are ignored.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
