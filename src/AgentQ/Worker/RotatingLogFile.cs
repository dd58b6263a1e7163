using System.Globalization;
using System.Text;

namespace AgentQ.Worker;

/// <summary>
/// The worker's log file (<c>[log]</c> in its config): one line per event, <c>2025-01-31 12:00:05,123 INFO message</c>
/// (UTC), rotated the way Python's <c>RotatingFileHandler</c> rotates: before a line would take the file past
/// <see cref="WorkerLogSettings.MaxBytes"/>, <c>.N-1</c> becomes <c>.N</c> ... the file becomes <c>.1</c>, keeping at
/// most <see cref="WorkerLogSettings.BackupCount"/> old files. Every line is flushed as it is written.
/// </summary>
public sealed class RotatingLogFile : IDisposable
{
    private readonly Lock _gate = new();
    private readonly WorkerLogSettings _settings;
    private FileStream _stream;

    public RotatingLogFile(WorkerLogSettings settings, string fileName)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        Directory.CreateDirectory(settings.Directory);
        Path = System.IO.Path.Combine(settings.Directory, fileName);
        _stream = Open();
    }

    public string Path { get; }

    public void Write(DateTimeOffset at, string level, string message)
    {
        var line = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{at.UtcDateTime:yyyy-MM-dd HH:mm:ss,fff} {level} {message}\n"));
        lock (_gate)
        {
            if (_settings.MaxBytes > 0 && _settings.BackupCount > 0 && _stream.Length > 0 && _stream.Length + line.Length > _settings.MaxBytes)
            {
                Rotate();
            }

            _stream.Write(line);
            _stream.Flush();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stream.Dispose();
        }
    }

    private void Rotate()
    {
        _stream.Dispose();
        File.Delete(Backup(_settings.BackupCount));
        for (var n = _settings.BackupCount - 1; n >= 1; n--)
        {
            if (File.Exists(Backup(n)))
            {
                File.Move(Backup(n), Backup(n + 1), overwrite: true);
            }
        }

        File.Move(Path, Backup(1), overwrite: true);
        _stream = Open();
    }

    private string Backup(int n) => Path + "." + n.ToString(CultureInfo.InvariantCulture);

    private FileStream Open() => new(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
}
