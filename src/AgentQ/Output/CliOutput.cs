using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace AgentQ.Output;

/// <summary>
/// Where a command's output goes. <c>--json</c>: stdout carries exactly one JSON document. Otherwise
/// people get concise tables, with Spectre (colours, borders, live views) only when stdout is a terminal.
/// Errors and warnings always go to stderr, one line each.
/// </summary>
public sealed class CliOutput
{
    private readonly Lazy<IAnsiConsole> _console;

    public CliOutput(TextWriter stdout, TextWriter stderr, bool json, bool terminal)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        Out = stdout;
        Err = stderr;
        Json = json;
        Terminal = terminal;
        _console = new Lazy<IAnsiConsole>(() => AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Detect,
            Out = new AnsiConsoleOutput(stdout),
        }));
    }

    public TextWriter Out { get; }

    public TextWriter Err { get; }

    /// <summary><c>--json</c> was given: stdout is for one JSON document only.</summary>
    public bool Json { get; }

    /// <summary>Human output on a terminal: Spectre tables and live views.</summary>
    public bool Fancy => Terminal && !Json;

    public bool Terminal { get; }

    /// <summary>The Spectre console over stdout; only for <see cref="Fancy"/> output.</summary>
    public IAnsiConsole Console => _console.Value;

    /// <summary>Passes the server's JSON through unchanged.</summary>
    public void WriteRawJson(string json)
    {
        Out.WriteLine(string.IsNullOrWhiteSpace(json) ? "null" : json.Trim());
    }

    /// <summary>JSON agentq made itself (e.g. a download summary).</summary>
    public void WriteJson<T>(T value)
    {
        Out.WriteLine(JsonSerializer.Serialize(value, Http.CliJson.Output));
    }

    public void Line(string text = "") => Out.WriteLine(text);

    public void Table(TableData table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (Fancy)
        {
            Console.Write(ToSpectre(table));
        }
        else
        {
            Out.Write(PlainTable.Render(table));
        }
    }

    /// <summary>One line on stderr: <c>agentq: message</c>.</summary>
    public void Error(string message) => Err.WriteLine("agentq: " + message);

    /// <summary>A note for people that must not pollute a JSON stdout.</summary>
    public void Note(string message) => Err.WriteLine("agentq: " + message);

    public static IRenderable ToSpectre(TableData table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var spectre = new Table().Border(TableBorder.Rounded);
        if (table.Title is { } title)
        {
            spectre.Title = new TableTitle(Markup.Escape(title));
        }

        foreach (var header in table.Headers)
        {
            spectre.AddColumn(new TableColumn(new Text(header, new Style(decoration: Decoration.Bold))));
        }

        foreach (var row in table.Rows)
        {
            spectre.AddRow(row.Select(cell => (IRenderable)new Text(string.IsNullOrEmpty(cell) ? "-" : cell)).ToArray());
        }

        return spectre;
    }
}
