using AgentFunctions.Api.Engine;
using AgentFunctions.Standalone.Engine;
using AgentFunctions.Standalone.Storage;
using AgentFunctions.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Standalone.Tests.Engine;

/// <summary>The journal on a real SQLite file: answers after the commit, and stops for good on a failure.</summary>
public sealed class JournalTests : IAsyncLifetime
{
    private readonly string _directory = TempPaths.NewDirectory("journal");
    private readonly List<Exception> _faults = [];
    private readonly SemaphoreSlim _faulted = new(0);
    private TaskDatabase _database = null!;
    private Journal _journal = null!;

    public Task InitializeAsync()
    {
        _database = new TaskDatabase(Path.Combine(_directory, "agentfunctions.db"));
        _database.Initialize();
        var options = new StandaloneOptions { DataDirectory = _directory };
        _journal = new Journal(_database, TimeProvider.System, options, new DiskSpace(options, TimeProvider.System, NullLogger<DiskSpace>.Instance), NullLogger<Journal>.Instance);
        _journal.Start([], lastOutboxId: 0, onCommitted: _ => { }, onFault: fault =>
        {
            lock (_faults)
            {
                _faults.Add(fault);
            }

            _faulted.Release();
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _journal.StopAsync();
        _journal.Dispose();
        SqliteConnection.ClearAllPools();
        TempPaths.TryDelete(_directory);
    }

    [Fact]
    public async Task Operations_are_answered_after_their_rows_are_committed()
    {
        var writes = Enumerable.Range(0, 50).Select(i => _journal.ExecuteAsync(context =>
        {
            context.OutboxJson($"task-{i}", OutboxKinds.Result, "{}");
            return i;
        })).ToList();

        var answers = await Task.WhenAll(writes);

        Assert.Equal(Enumerable.Range(0, 50), answers);
        Assert.Equal(50L, CountOutboxRows());
        Assert.Null(_journal.Fault);
    }

    [Fact]
    public async Task An_operation_that_throws_stops_the_journal_and_reports_the_fault_once()
    {
        var failing = _journal.ExecuteAsync<bool>(_ => throw new InvalidOperationException("decider bug"));

        // Callers learn that the engine stopped (503), with the cause inside.
        var error = await Assert.ThrowsAsync<EngineUnavailableException>(() => failing);
        var cause = Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Equal("decider bug", cause.Message);
        Assert.True(await _faulted.WaitAsync(TimeSpan.FromSeconds(10)));
        var later = await Assert.ThrowsAsync<EngineUnavailableException>(() => _journal.ExecuteAsync(_ => true));
        Assert.StartsWith("the server stopped after a storage failure (decider bug)", later.Message, StringComparison.Ordinal);
        Assert.Single(_faults);
        Assert.Same(cause, _journal.Fault);
    }

    [Fact]
    public async Task A_failed_commit_stops_the_journal_and_stores_nothing_of_its_batch()
    {
        // Another connection takes the table away: the next batch cannot be written.
        using (var connection = _database.Open())
        using (var drop = connection.CreateCommand())
        {
            drop.CommandText = "DROP TABLE task_events";
            drop.ExecuteNonQuery();
        }

        var write = _journal.ExecuteAsync(context =>
        {
            context.OutboxJson("task-1", OutboxKinds.Result, "{}");
            context.Purge("task-0");
            return true;
        });

        var error = await Assert.ThrowsAsync<EngineUnavailableException>(() => write);
        Assert.IsType<SqliteException>(error.InnerException);
        Assert.True(await _faulted.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0L, CountOutboxRows());
        await Assert.ThrowsAsync<EngineUnavailableException>(() => _journal.ExecuteAsync(_ => true));
    }

    private long CountOutboxRows()
    {
        using var connection = _database.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM outbox";
        return (long)count.ExecuteScalar()!;
    }
}
