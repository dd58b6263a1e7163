using AgentFunctions.Core.Storage;

namespace AgentFunctions.Core.Tests.Storage;

/// <summary>The file mechanics under both stores, where they differ by platform.</summary>
public sealed class FileSystemIoTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Hard_links_and_directory_flushes_are_available_off_windows()
    {
        Assert.Equal(!OperatingSystem.IsWindows(), PosixFileOps.IsAvailable);
    }

    [Fact]
    public async Task Publishing_if_absent_never_replaces_an_existing_file()
    {
        var target = Path.Combine(_dir.Root, "record.json");
        var first = await FileSystemIo.WriteTempFileAsync(_dir.Root, "first"u8.ToArray(), flushToDisk: false, CancellationToken.None);
        var second = await FileSystemIo.WriteTempFileAsync(_dir.Root, "second"u8.ToArray(), flushToDisk: true, CancellationToken.None);

        Assert.True(FileSystemIo.MoveIfAbsent(first, target));
        Assert.False(FileSystemIo.MoveIfAbsent(second, target));

        Assert.Equal("first", await File.ReadAllTextAsync(target));
        Assert.Equal(["record.json"], Directory.GetFiles(_dir.Root).Select(Path.GetFileName)); // both temp files consumed
    }

    [Fact]
    public void A_failed_link_reports_that_the_name_is_taken()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // link(2) is POSIX only
        }

        var existing = Path.Combine(_dir.Root, "a");
        var taken = Path.Combine(_dir.Root, "b");
        File.WriteAllText(existing, "a");
        File.WriteAllText(taken, "b");

        Assert.False(PosixFileOps.TryLink(existing, taken, out var errno));
        Assert.Equal(17, errno); // EEXIST on Linux and macOS
        Assert.Equal("b", File.ReadAllText(taken));
    }

    [Fact]
    public void Flushing_a_missing_directory_is_an_error_not_a_silent_no_op()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // directories are not flushed on Windows
        }

        FileSystemIo.FlushDirectory(_dir.Root);
        Assert.Throws<IOException>(() => FileSystemIo.FlushDirectory(Path.Combine(_dir.Root, "missing")));
    }

    [Theory]
    [InlineData("CON", true)]
    [InlineData("con.json", true)]
    [InlineData("Nul.md", true)]
    [InlineData("COM1", true)]
    [InlineData("lpt9.txt", true)]
    [InlineData("name.", true)]
    [InlineData("console.md", false)]
    [InlineData("CONTEXT.md", false)]
    [InlineData("task-1~review.json", false)]
    [InlineData("a..json", false)]
    public void Names_windows_reserves_are_recognised(string name, bool reserved)
    {
        Assert.Equal(reserved, FileSystemIo.IsReservedOnWindows(name));
    }
}
