namespace AgentFunctions.Core.Tests.Storage;

/// <summary>
/// A fresh folder under the system temp directory, removed on dispose. Stores get <see cref="Root"/>;
/// <see cref="Outside"/> is a sibling that escape attempts would reach, so tests can prove nothing landed there.
/// </summary>
internal sealed class TestDirectory : IDisposable
{
    public TestDirectory()
    {
        Base = Path.Combine(Path.GetTempPath(), "af-store-tests", Guid.NewGuid().ToString("N"));
        Root = Path.Combine(Base, "root");
        Outside = Path.Combine(Base, "outside");
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Outside);
    }

    public string Base { get; }

    public string Root { get; }

    public string Outside { get; }

    /// <summary>Every file and folder under <see cref="Base"/> with its size, for before/after comparisons.</summary>
    public IReadOnlyList<string> Snapshot() =>
        new DirectoryInfo(Base)
            .EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(entry => $"{Path.GetRelativePath(Base, entry.FullName)}:{(entry is FileInfo file ? file.Length : -1)}")
            .Order(StringComparer.Ordinal)
            .ToList();

    public void Dispose()
    {
        // Recursive delete removes links themselves, never what they point to.
        try
        {
            Directory.Delete(Base, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
