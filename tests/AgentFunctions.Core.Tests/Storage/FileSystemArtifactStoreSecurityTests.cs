using AgentFunctions.Core.Storage;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AgentFunctions.Core.Tests.Storage;

/// <summary>Nothing a caller names may reach outside the root, through a link, or land anywhere when refused.</summary>
public sealed class FileSystemArtifactStoreSecurityTests : IDisposable
{
    private static readonly string[] HostilePieces =
    [
        "a", "tasks", "t1", "spec.json", ".", "..", "...", "/", "//", "\\", ":", "C:", "~", "-", "%2e", "%2f",
        "\0", "\n", "\u007f", "\u0085", "\u200b", "\u202e", "／", "‥", "．", "\u2215", "\uff3c", " ", "*", "?", "\ud800",
    ];

    private readonly TestDirectory _dir = new();
    private readonly FileSystemArtifactStore _store;

    public FileSystemArtifactStoreSecurityTests() => _store = new FileSystemArtifactStore(_dir.Root);

    public static TheoryData<string> RefusedPaths => new()
    {
        // Climbing out, absolute and drive-qualified paths.
        "../x", "a/../../x", "tasks/t1/../../../x", "..", ".", "../", "a/..", "/etc/passwd", "/x", "C:/x", "C:x", "c:\\x",
        // Backslashes, in every role they play on Windows.
        "a\\b", "..\\x", "\\\\server\\share\\x", "tasks\\..\\..\\x",
        // Empty, '.' and trailing segments.
        "", "/", "a//b", "a/", "tasks/t1/", "a/./b", "./a",
        // Control characters.
        "a\0b", "tasks/t1/spec.json\0.png", "a\nb", "a\rb", "a\tb", "a\u007fb", "a\u0085b", "\u001b[31m",
        // Lookalikes and invisible characters: fullwidth solidus and dots, dot leaders, division/fraction slash.
        "a／b", "‥/x", "\u2024\u2024/x", "．．/x", "a\u2215b", "a\u2044b", "a\uff3cb", "tasks/t1/\u0441pec.json",
        "a\u200bb", "a\u202eb", "\ud800", "%2e%2e/x", "a b", "a:b", "a*b", "a?b", "a|b", "a<b", "a\"b",
        // Over the length limits.
        new string('a', ArtifactPath.MaxLength + 1),
        "tasks/" + new string('b', ArtifactPath.MaxSegmentLength + 1),
        string.Join('/', Enumerable.Repeat("a", (ArtifactPath.MaxLength / 2) + 1)),
    };

    public void Dispose() => _dir.Dispose();

    [Theory]
    [MemberData(nameof(RefusedPaths))]
    public async Task Every_operation_refuses_a_path_outside_the_naming_rule_and_nothing_is_written(string path)
    {
        var before = _dir.Snapshot();

        Assert.Throws<ArgumentException>(() => _store.GetFullPath(path));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.WriteAsync(path, "pwned"u8.ToArray(), null, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.WriteTextAsync(path, "pwned"));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.OpenReadAsync(path, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.ExistsAsync(path, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.DeleteAsync(path, CancellationToken.None));

        Assert.Equal(before, _dir.Snapshot());
        Assert.False(File.Exists(Path.Combine(_dir.Base, "x")));
    }

    [Fact]
    public async Task Names_at_the_length_limits_are_accepted()
    {
        var longSegment = new string('s', ArtifactPath.MaxSegmentLength);
        var longPath = string.Join('/', Enumerable.Repeat(new string('p', 100), 9)) + "/" + new string('q', ArtifactPath.MaxLength - 909);
        Assert.Equal(ArtifactPath.MaxLength, longPath.Length);

        await _store.WriteTextAsync("tasks/t1/" + longSegment, "segment");
        await _store.WriteTextAsync(longPath, "path");

        Assert.Equal("segment", await _store.ReadTextAsync("tasks/t1/" + longSegment));
        Assert.Equal("path", await _store.ReadTextAsync(longPath));
    }

    [Fact]
    public async Task A_refused_error_names_the_problem()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _store.WriteTextAsync("tasks/../x", "x"));

        Assert.Contains("'..'", error.Message, StringComparison.Ordinal);
        Assert.Equal("path", error.ParamName);
    }

    [Fact]
    public async Task Writing_through_a_linked_folder_is_refused_and_lands_nowhere()
    {
        Directory.CreateSymbolicLink(Path.Combine(_dir.Root, "tasks"), _dir.Outside);
        var before = _dir.Snapshot();

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => _store.WriteTextAsync("tasks/t1/spec.json", "pwned"));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => _store.WriteTextAsync("tasks/spec.json", "pwned"));

        Assert.Equal(before, _dir.Snapshot());
        Assert.Empty(Directory.GetFileSystemEntries(_dir.Outside));
    }

    [Fact]
    public async Task Reading_through_a_linked_folder_is_refused()
    {
        var secret = Path.Combine(_dir.Outside, "secret.txt");
        await File.WriteAllTextAsync(secret, "top secret");
        await _store.WriteTextAsync("tasks/t1/spec.json", "{}");
        Directory.CreateSymbolicLink(Path.Combine(_dir.Root, "tasks", "t1", "artifacts"), _dir.Outside);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => _store.OpenReadAsync("tasks/t1/artifacts/secret.txt", CancellationToken.None));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => _store.ReadTextAsync("tasks/t1/artifacts/secret.txt"));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => _store.ExistsAsync("tasks/t1/artifacts/secret.txt", CancellationToken.None));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => _store.DeleteAsync("tasks/t1/artifacts/secret.txt", CancellationToken.None));
        Assert.Throws<UnauthorizedAccessException>(() => _store.ListAsync("tasks/t1/artifacts/", CancellationToken.None));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => _store.DeletePrefixAsync("tasks/t1/artifacts/", CancellationToken.None));

        // Listing and purging the task walk past the link without following it.
        Assert.Equal(["tasks/t1/spec.json"], await ListPathsAsync("tasks/"));
        Assert.Equal(1, await _store.DeletePrefixAsync("tasks/t1/", CancellationToken.None));
        Assert.Equal("top secret", await File.ReadAllTextAsync(secret));
    }

    [Fact]
    public async Task A_linked_file_is_neither_read_nor_overwritten_nor_deleted()
    {
        var secret = Path.Combine(_dir.Outside, "secret.txt");
        await File.WriteAllTextAsync(secret, "top secret");
        await _store.WriteTextAsync("tasks/t1/spec.json", "{}");
        File.CreateSymbolicLink(Path.Combine(_dir.Root, "tasks", "t1", "leak.txt"), secret);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => _store.ReadTextAsync("tasks/t1/leak.txt"));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => _store.WriteTextAsync("tasks/t1/leak.txt", "pwned"));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => _store.DeleteAsync("tasks/t1/leak.txt", CancellationToken.None));

        Assert.Equal(["tasks/t1/spec.json"], await ListPathsAsync(""));
        Assert.Equal(1, await _store.DeletePrefixAsync("tasks/t1/", CancellationToken.None));
        Assert.Equal("top secret", await File.ReadAllTextAsync(secret));
    }

    [Fact]
    public async Task A_dangling_link_is_refused_and_its_target_is_not_created()
    {
        var target = Path.Combine(_dir.Outside, "not-yet");
        Directory.CreateSymbolicLink(Path.Combine(_dir.Root, "tasks"), target);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => _store.WriteTextAsync("tasks/t1/spec.json", "pwned"));

        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public async Task A_root_reached_through_a_link_is_the_operators_choice_and_works()
    {
        var alias = Path.Combine(_dir.Base, "alias");
        Directory.CreateSymbolicLink(alias, _dir.Root);
        var store = new FileSystemArtifactStore(alias);

        await store.WriteTextAsync("tasks/t1/spec.json", "{}");

        Assert.Equal("{}", await _store.ReadTextAsync("tasks/t1/spec.json"));
    }

    [Property(MaxTest = 300)]
    public Property Any_string_is_refused_or_resolves_to_its_own_file_under_the_root(string? path) =>
        ResolvesInsideOrIsRefused(path).ToProperty();

    [Property(MaxTest = 500)]
    public Property Paths_built_from_hostile_pieces_are_refused_or_resolve_to_their_own_file_under_the_root() =>
        Prop.ForAll(
            Gen.Elements(HostilePieces).ListOf().Select(pieces => string.Concat(pieces)).ToArbitrary(),
            path => ResolvesInsideOrIsRefused(path).Label($"path: {path}"));

    private bool ResolvesInsideOrIsRefused(string? path)
    {
        var accepted = ArtifactPath.Explain(path) is null;
        string resolved;
        try
        {
            resolved = _store.GetFullPath(path!);
        }
        catch (ArgumentException)
        {
            return !accepted;
        }

        var rootPrefix = _store.RootPath + Path.DirectorySeparatorChar;
        var relative = Path.GetRelativePath(_store.RootPath, resolved);
        return accepted
            && resolved.StartsWith(rootPrefix, StringComparison.Ordinal)
            && relative != ".."
            && !relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            && !Path.IsPathRooted(relative)
            && resolved == rootPrefix + path!.Replace('/', Path.DirectorySeparatorChar);
    }

    private async Task<List<string>> ListPathsAsync(string prefix)
    {
        var paths = new List<string>();
        await foreach (var item in _store.ListAsync(prefix, CancellationToken.None))
        {
            paths.Add(item.Path);
        }

        return paths;
    }
}
