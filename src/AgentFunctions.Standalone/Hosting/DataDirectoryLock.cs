using AgentFunctions.Core.Configuration;

namespace AgentFunctions.Standalone.Hosting;

/// <summary>
/// An exclusive lock on the data directory for the server's lifetime: two servers on one directory
/// would both recover and run every task. The operating system drops the lock when the process
/// dies, so a crash never leaves it behind.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "agentfunctions.lock";

    /// <summary>Beside the lock, readable while it is held: which process holds it.</summary>
    public const string HolderFileName = "agentfunctions.pid";

    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    /// <summary>Takes the lock, or throws naming the directory (and the holder's process id when known).</summary>
    public static DataDirectoryLock Acquire(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        try
        {
            // FileShare.None is an exclusive advisory lock (flock) on Unix and a sharing lock on Windows.
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            File.WriteAllText(Path.Combine(dataDirectory, HolderFileName), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return new DataDirectoryLock(file);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new Storage.DataDirectoryException($"{StandaloneOptions.SectionName}:DataDirectory: {Path.GetFullPath(dataDirectory)} cannot be written by this user: {ex.Message.TrimEnd('.')}", ex);
        }
        catch (IOException)
        {
            var holder = ReadHolder(Path.Combine(dataDirectory, HolderFileName));
            throw new InvalidConfigurationException(
                $"{StandaloneOptions.SectionName}:DataDirectory: '{Path.GetFullPath(dataDirectory)}' is in use by another AgentFunctions server{holder}; stop it or choose another directory");
        }
    }

    public void Dispose() => _file.Dispose();

    private static string ReadHolder(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), out var pid) ? $" (process {pid})" : string.Empty;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
