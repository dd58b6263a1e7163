using Microsoft.Data.Sqlite;

namespace AgentFunctions.Standalone.Storage;

/// <summary>
/// Reads the spec fingerprint of a stored task for the journal's apply thread, on a connection of
/// its own with the statement prepared once (every new task id is looked up here).
/// </summary>
public sealed class SpecHashLookup : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _command;

    public SpecHashLookup(TaskDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _connection = database.Open();
        _command = _connection.CreateCommand();
        _command.CommandText = "SELECT spec_hash FROM tasks WHERE id = $id";
        _command.Parameters.Add(new SqliteParameter { ParameterName = "$id" });
    }

    public string? Find(string id)
    {
        _command.Parameters[0].Value = id;
        return _command.ExecuteScalar() as string;
    }

    public void Dispose()
    {
        _command.Dispose();
        _connection.Dispose();
    }
}
