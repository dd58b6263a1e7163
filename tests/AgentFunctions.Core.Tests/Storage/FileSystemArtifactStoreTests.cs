using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Storage;

namespace AgentFunctions.Core.Tests.Storage;

public sealed class FileSystemArtifactStoreTests : IDisposable
{
    private readonly TestDirectory _dir = new();
    private readonly FileSystemArtifactStore _store;

    public FileSystemArtifactStoreTests() => _store = new FileSystemArtifactStore(_dir.Root);

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Written_bytes_read_back_identically_with_their_info()
    {
        var bytes = Enumerable.Range(0, 70_000).Select(i => (byte)(i * 31)).ToArray();
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        await _store.WriteAsync("tasks/t1/artifacts/impl/blob.bin", bytes, "application/x-custom", Ct);

        await using var content = await _store.OpenReadAsync("tasks/t1/artifacts/impl/blob.bin", Ct);
        Assert.NotNull(content);
        Assert.Equal(bytes, await ReadAllAsync(content.Content));
        Assert.Equal("tasks/t1/artifacts/impl/blob.bin", content.Info.Path);
        Assert.Equal(bytes.Length, content.Info.Length);
        Assert.Equal("application/octet-stream", content.Info.ContentType);
        Assert.InRange(content.Info.LastModified, before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.True(File.Exists(Path.Combine(_dir.Root, "tasks", "t1", "artifacts", "impl", "blob.bin")));
    }

    [Fact]
    public async Task Text_round_trips_as_utf8_without_a_bom()
    {
        const string text = "# Résumé\n\nnaïve — 日本語 ✓\n";

        await _store.WriteTextAsync("tasks/t1/context.md", text, cancellationToken: Ct);

        Assert.Equal(text, await _store.ReadTextAsync("tasks/t1/context.md", Ct));
        var raw = await File.ReadAllBytesAsync(Path.Combine(_dir.Root, "tasks", "t1", "context.md"), Ct);
        Assert.Equal(Encoding.UTF8.GetBytes(text), raw);
    }

    [Fact]
    public async Task Json_round_trips_in_the_contract_dialect()
    {
        var failure = new AttemptFailure(2, new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), FailureKind.Transient, "HTTP 503");

        await _store.WriteJsonAsync("tasks/t1/results/impl.json", failure, Ct);

        Assert.Equal(failure, await _store.ReadJsonAsync<AttemptFailure>("tasks/t1/results/impl.json", Ct));
        var raw = await _store.ReadTextAsync("tasks/t1/results/impl.json", Ct);
        Assert.Contains("\"kind\": \"transient\"", raw, StringComparison.Ordinal);
        Assert.Contains("\n", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writing_again_replaces_the_whole_content()
    {
        await _store.WriteTextAsync("tasks/t1/result.json", "a much longer first version", cancellationToken: Ct);
        await _store.WriteTextAsync("tasks/t1/result.json", "short", cancellationToken: Ct);

        Assert.Equal("short", await _store.ReadTextAsync("tasks/t1/result.json", Ct));
        Assert.Equal(["tasks/t1/result.json"], await ListPathsAsync(""));
    }

    [Fact]
    public async Task A_missing_artifact_reads_as_null_and_does_not_exist()
    {
        await _store.WriteTextAsync("tasks/t1/spec.json", "{}", cancellationToken: Ct);

        Assert.Null(await _store.OpenReadAsync("tasks/t2/spec.json", Ct));
        Assert.Null(await _store.OpenReadAsync("tasks/t1/nothing.md", Ct));
        Assert.Null(await _store.OpenReadAsync("tasks/t1", Ct)); // a folder is not an artifact
        Assert.Null(await _store.ReadTextAsync("tasks/t1/nothing.md", Ct));
        Assert.Null(await _store.ReadJsonAsync<AttemptFailure>("tasks/t1/nothing.json", Ct));
        Assert.False(await _store.ExistsAsync("tasks/t1/nothing.md", Ct));
        Assert.False(await _store.ExistsAsync("tasks/t1", Ct));
        Assert.True(await _store.ExistsAsync("tasks/t1/spec.json", Ct));
    }

    [Fact]
    public async Task A_file_named_as_if_it_were_a_folder_holds_nothing()
    {
        await _store.WriteTextAsync("tasks/t1/spec.json", "{}", cancellationToken: Ct);

        Assert.Null(await _store.OpenReadAsync("tasks/t1/spec.json/x", Ct));
        Assert.False(await _store.ExistsAsync("tasks/t1/spec.json/x", Ct));
        Assert.False(await _store.DeleteAsync("tasks/t1/spec.json/x", Ct));
        Assert.Empty(await ListPathsAsync("tasks/t1/spec.json/"));
        Assert.Equal(0, await _store.DeletePrefixAsync("tasks/t1/spec.json/", Ct));
        await Assert.ThrowsAnyAsync<IOException>(() => _store.WriteTextAsync("tasks/t1/spec.json/x", "x", cancellationToken: Ct));
        Assert.Equal(["tasks/t1/spec.json"], await ListPathsAsync(""));
    }

    [Theory]
    [InlineData("tasks/t1/context.md", "text/markdown; charset=utf-8")]
    [InlineData("tasks/t1/README.MD", "text/markdown; charset=utf-8")]
    [InlineData("tasks/t1/result.json", "application/json")]
    [InlineData("tasks/t1/notes.txt", "text/plain; charset=utf-8")]
    [InlineData("tasks/t1/run.log", "text/plain; charset=utf-8")]
    [InlineData("tasks/t1/image.png", "application/octet-stream")]
    [InlineData("tasks/t1/no-extension", "application/octet-stream")]
    public async Task Content_type_is_inferred_from_the_extension(string path, string expected)
    {
        await _store.WriteTextAsync(path, "x", "something/else", Ct);

        await using var content = await _store.OpenReadAsync(path, Ct);
        Assert.Equal(expected, content!.Info.ContentType);
        var listed = Assert.Single(await ListAsync(""));
        Assert.Equal(expected, listed.ContentType);
    }

    [Fact]
    public async Task Listing_returns_relative_paths_under_the_prefix_in_ordinal_order()
    {
        string[] paths =
        [
            "tasks/t1/results/review.md", "tasks/t1/spec.json", "tasks/t1/a-b", "tasks/t1/a/b", "tasks/t1/A",
            "tasks/t1/.hidden", "tasks/t1/results/impl.md", "tasks/t10/spec.json", "tasks/t2/spec.json", "other.txt",
        ];
        foreach (var path in paths)
        {
            await _store.WriteTextAsync(path, path, cancellationToken: Ct);
        }

        Assert.Equal(paths.Order(StringComparer.Ordinal), await ListPathsAsync(""));
        Assert.Equal(
            ["tasks/t1/.hidden", "tasks/t1/A", "tasks/t1/a-b", "tasks/t1/a/b", "tasks/t1/results/impl.md", "tasks/t1/results/review.md", "tasks/t1/spec.json"],
            await ListPathsAsync("tasks/t1/"));
        Assert.Equal(["tasks/t1/results/impl.md", "tasks/t1/results/review.md"], await ListPathsAsync("tasks/t1/results/"));
        Assert.Equal(["tasks/t1/results/impl.md", "tasks/t1/results/review.md"], await ListPathsAsync("tasks/t1/res"));
        Assert.Equal(["tasks/t1/results/review.md"], await ListPathsAsync("tasks/t1/results/r"));
        Assert.Contains("tasks/t10/spec.json", await ListPathsAsync("tasks/t1")); // a string prefix, as in Blob storage
        Assert.Empty(await ListPathsAsync("tasks/t3/"));
        Assert.Empty(await ListPathsAsync("nothing"));

        var info = (await ListAsync("tasks/t2/")).Single();
        Assert.Equal("tasks/t2/spec.json".Length, info.Length);
    }

    [Fact]
    public async Task Listing_never_shows_temp_files_or_names_the_store_could_not_address()
    {
        await _store.WriteTextAsync("tasks/t1/spec.json", "{}", cancellationToken: Ct);
        var folder = Path.Combine(_dir.Root, "tasks", "t1");
        await File.WriteAllTextAsync(Path.Combine(folder, ".tmp!0123456789abcdef"), "half a wri", Ct);
        await File.WriteAllTextAsync(Path.Combine(folder, "has space.md"), "foreign", Ct);
        await File.WriteAllTextAsync(Path.Combine(folder, "ünï.md"), "foreign", Ct);

        Assert.Equal(["tasks/t1/spec.json"], await ListPathsAsync(""));
        Assert.Equal(["tasks/t1/spec.json"], await ListPathsAsync("tasks/t1/"));
    }

    [Fact]
    public async Task A_finished_write_leaves_no_temp_file_behind()
    {
        for (var i = 0; i < 5; i++)
        {
            await _store.WriteTextAsync("tasks/t1/result.json", $"v{i}", cancellationToken: Ct);
        }

        Assert.Equal(["result.json"], Directory.GetFiles(Path.Combine(_dir.Root, "tasks", "t1")).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("../")]
    [InlineData("..")]
    [InlineData("tasks//")]
    [InlineData("tasks/../")]
    [InlineData("/etc/")]
    [InlineData("tasks\\t1")]
    public void Listing_refuses_an_invalid_prefix_when_called(string prefix)
    {
        Assert.Throws<ArgumentException>(() => _store.ListAsync(prefix, Ct));
    }

    [Fact]
    public async Task Delete_removes_that_artifact_once()
    {
        await _store.WriteTextAsync("tasks/t1/spec.json", "{}", cancellationToken: Ct);
        await _store.WriteTextAsync("tasks/t1/context.md", "ctx", cancellationToken: Ct);

        Assert.True(await _store.DeleteAsync("tasks/t1/spec.json", Ct));
        Assert.False(await _store.DeleteAsync("tasks/t1/spec.json", Ct));
        Assert.False(await _store.DeleteAsync("tasks/t9/spec.json", Ct));
        Assert.False(await _store.DeleteAsync("tasks/t1", Ct));

        Assert.Equal(["tasks/t1/context.md"], await ListPathsAsync(""));
        Assert.Single(Directory.GetFiles(Path.Combine(_dir.Root, "tasks", "t1")));
    }

    [Fact]
    public async Task Deleting_a_prefix_removes_its_artifacts_and_emptied_folders_only()
    {
        string[] task1 = ["tasks/t1/spec.json", "tasks/t1/context.md", "tasks/t1/results/impl.md", "tasks/t1/artifacts/impl/deep/x.bin"];
        string[] others = ["tasks/t10/spec.json", "tasks/t2/spec.json"];
        foreach (var path in task1.Concat(others))
        {
            await _store.WriteTextAsync(path, "x", cancellationToken: Ct);
        }

        Assert.Equal(4, await _store.DeletePrefixAsync("tasks/t1/", Ct));

        Assert.Equal(others, await ListPathsAsync(""));
        Assert.False(Directory.Exists(Path.Combine(_dir.Root, "tasks", "t1")));
        Assert.True(Directory.Exists(Path.Combine(_dir.Root, "tasks")));
        Assert.Equal(0, await _store.DeletePrefixAsync("tasks/t1/", Ct));
        Assert.Equal(0, await _store.DeletePrefixAsync("tasks/none/", Ct));
    }

    [Fact]
    public async Task Deleting_a_partial_name_prefix_keeps_the_folder_that_still_holds_other_artifacts()
    {
        string[] paths = ["tasks/t1/results/impl.md", "tasks/t1/results/review.md", "tasks/t1/spec.json", "tasks/t1/rest.txt"];
        foreach (var path in paths)
        {
            await _store.WriteTextAsync(path, "x", cancellationToken: Ct);
        }

        Assert.Equal(3, await _store.DeletePrefixAsync("tasks/t1/res", Ct));

        Assert.Equal(["tasks/t1/spec.json"], await ListPathsAsync(""));
        Assert.False(Directory.Exists(Path.Combine(_dir.Root, "tasks", "t1", "results")));
    }

    [Fact]
    public async Task Deleting_everything_by_an_empty_prefix_is_refused()
    {
        await _store.WriteTextAsync("tasks/t1/spec.json", "{}", cancellationToken: Ct);

        await Assert.ThrowsAsync<ArgumentException>(() => _store.DeletePrefixAsync("", Ct));

        Assert.Equal(["tasks/t1/spec.json"], await ListPathsAsync(""));
    }

    [Fact]
    public async Task Deleting_a_prefix_sweeps_stale_temp_files_but_leaves_a_running_writers()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var store = new FileSystemArtifactStore(_dir.Root, new FileSystemArtifactStoreOptions { StaleTempFileAge = TimeSpan.FromHours(1) }, clock);
        await store.WriteTextAsync("tasks/t1/spec.json", "{}", cancellationToken: Ct);
        var folder = Path.Combine(_dir.Root, "tasks", "t1");
        var stale = Path.Combine(folder, ".tmp!stale");
        var young = Path.Combine(folder, ".tmp!young");
        await File.WriteAllTextAsync(stale, "crashed writer", Ct);
        await File.WriteAllTextAsync(young, "running writer", Ct);
        File.SetLastWriteTimeUtc(stale, clock.Now.UtcDateTime.AddHours(-2));
        File.SetLastWriteTimeUtc(young, clock.Now.UtcDateTime.AddMinutes(-1));

        Assert.Equal(1, await store.DeletePrefixAsync("tasks/t1/", Ct));

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(young));

        clock.Now += TimeSpan.FromHours(2);
        Assert.Equal(0, await store.DeletePrefixAsync("tasks/t1/", Ct));
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task An_artifact_over_the_size_limit_is_refused_and_nothing_is_written()
    {
        var store = new FileSystemArtifactStore(_dir.Root, new FileSystemArtifactStoreOptions { MaxArtifactBytes = 1024 });
        var before = _dir.Snapshot();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.WriteAsync("tasks/t1/big.bin", new byte[1025], null, Ct));

        Assert.Equal(before, _dir.Snapshot());
        await store.WriteAsync("tasks/t1/ok.bin", new byte[1024], null, Ct);
        Assert.True(await store.ExistsAsync("tasks/t1/ok.bin", Ct));
    }

    [Fact]
    public void The_default_size_limit_is_the_design_limit()
    {
        Assert.Equal(new TaskLimits().MaxArtifactBytes, new FileSystemArtifactStoreOptions().MaxArtifactBytes);
    }

    [Fact]
    public async Task A_cancelled_write_leaves_nothing_behind()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var before = _dir.Snapshot();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.WriteAsync("tasks/t1/spec.json", new byte[10], null, cancelled.Token));

        Assert.Equal(before, _dir.Snapshot());
    }

    [Fact]
    public async Task Flushing_to_disk_writes_and_deletes_like_the_default()
    {
        var store = new FileSystemArtifactStore(_dir.Root, new FileSystemArtifactStoreOptions { FlushToDisk = true });

        await store.WriteTextAsync("tasks/t1/results/impl.md", "durable", cancellationToken: Ct);
        await store.WriteTextAsync("tasks/t1/results/impl.md", "durable v2", cancellationToken: Ct);

        Assert.Equal("durable v2", await store.ReadTextAsync("tasks/t1/results/impl.md", Ct));
        Assert.True(await store.DeleteAsync("tasks/t1/results/impl.md", Ct));
        await store.WriteTextAsync("tasks/t1/spec.json", "{}", cancellationToken: Ct);
        Assert.Equal(1, await store.DeletePrefixAsync("tasks/", Ct));
    }

    [Fact]
    public async Task A_trailing_separator_on_the_root_changes_nothing()
    {
        var store = new FileSystemArtifactStore(_dir.Root + Path.DirectorySeparatorChar);
        await store.WriteTextAsync("tasks/t1/spec.json", "{}", cancellationToken: Ct);

        Assert.Equal(Path.Combine(_dir.Root, "tasks", "t1", "spec.json"), store.GetFullPath("tasks/t1/spec.json"));
        Assert.Equal(["tasks/t1/spec.json"], await ListPathsAsync(""));
    }

    [Fact]
    public async Task Json_that_does_not_fit_the_type_is_an_error_not_a_null()
    {
        await _store.WriteTextAsync("tasks/t1/result.json", "{ not json", cancellationToken: Ct);

        await Assert.ThrowsAnyAsync<JsonException>(() => _store.ReadJsonAsync<AttemptFailure>("tasks/t1/result.json", Ct));
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, Ct);
        return buffer.ToArray();
    }

    private async Task<List<ArtifactInfo>> ListAsync(string prefix)
    {
        var items = new List<ArtifactInfo>();
        await foreach (var item in _store.ListAsync(prefix, Ct))
        {
            items.Add(item);
        }

        return items;
    }

    private async Task<List<string>> ListPathsAsync(string prefix) =>
        (await ListAsync(prefix)).Select(item => item.Path).ToList();
}
