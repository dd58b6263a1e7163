using System.Globalization;
using System.Text;
using System.Xml.Linq;
using AgentQ.Cli;

namespace AgentQ.Service;

/// <summary>
/// Fills in the service templates of deploy/ (embedded in agentq) for one role on this machine: the agentq it runs
/// (this one), the .NET runtime it needs, the config file and the user. Everything else stays as the template says.
/// </summary>
public static class ServiceTemplates
{
    public const string SystemdTemplate = "agentq-worker@.service";
    public const string LaunchdTemplate = "com.agentq.worker.plist";

    /// <summary>Where the templates run agentq from, replaced by <see cref="ServiceRequest.Command"/>.</summary>
    public const string TemplateProgram = "/usr/local/bin/agentq";

    public static string Read(string name)
    {
        using var stream = typeof(ServiceTemplates).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The template {name} is not embedded in agentq.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public static ServiceUnit Fill(ServiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Format == ServiceFormat.Systemd ? Systemd(request) : Launchd(request);
    }

    /// <summary>
    /// The template as an instance unit for the role (<c>agentq-worker@ROLE.service</c>, which systemd prefers to the
    /// template), with %i spelled out so the unit's command line is exactly what runs.
    /// </summary>
    private static ServiceUnit Systemd(ServiceRequest request)
    {
        var lines = new List<string>();
        foreach (var line in Read(SystemdTemplate).ReplaceLineEndings("\n").Split('\n'))
        {
            if (line.StartsWith("ExecStart=", StringComparison.Ordinal))
            {
                lines.Add("ExecStart=" + string.Join(' ', request.WorkerArguments().Select(SystemdWord)));
                if (request.DotnetRoot is { } root)
                {
                    lines.Add("Environment=DOTNET_ROOT=" + SystemdWord(root));
                }

                continue;
            }

            if (line.StartsWith("User=", StringComparison.Ordinal) || line.StartsWith("Group=", StringComparison.Ordinal))
            {
                lines.Add(line[..(line.IndexOf('=', StringComparison.Ordinal) + 1)] + request.User);
                continue;
            }

            lines.Add(line.Replace("%i", request.Role, StringComparison.Ordinal));
        }

        return new ServiceUnit(ServiceFormat.Systemd, $"agentq-worker@{request.Role}.service", string.Join('\n', lines), "/etc/systemd/system");
    }

    private static ServiceUnit Launchd(ServiceRequest request)
    {
        var document = XDocument.Parse(Read(LaunchdTemplate).Replace("ROLE", request.Role, StringComparison.Ordinal), LoadOptions.PreserveWhitespace);
        // The template's notes are about filling it in; what is left is the filled-in agent.
        document.Nodes().OfType<XComment>().ToList().ForEach(comment => comment.Remove());
        document.DocumentType!.InternalSubset = null;
        var dict = document.Root!.Element("dict")!;
        var arguments = Value(dict, "ProgramArguments");
        arguments.ReplaceNodes(request.WorkerArguments().SelectMany(a => new object[] { "\n    ", new XElement("string", a) }).Append("\n  "));
        if (request.DotnetRoot is { } root)
        {
            var environment = Value(dict, "EnvironmentVariables");
            environment.Add("  ", new XElement("key", "DOTNET_ROOT"), "\n    ", new XElement("string", root), "\n  ");
        }

        var text = new StringBuilder();
        using (var writer = new Utf8StringWriter(text))
        {
            document.Save(writer, SaveOptions.DisableFormatting);
        }

        var directory = request.IsRoot ? "/Library/LaunchDaemons" : Path.Combine(request.HomeDirectory, "Library", "LaunchAgents");
        return new ServiceUnit(ServiceFormat.Launchd, $"com.agentq.worker.{request.Role}.plist", text.ToString(), directory);
    }

    /// <summary>The element that follows <c>&lt;key&gt;name&lt;/key&gt;</c> in a plist dict.</summary>
    private static XElement Value(XElement dict, string key) =>
        dict.Elements("key").First(k => k.Value == key).ElementsAfterSelf().First();

    /// <summary>A word of a systemd command line: quoted when it holds blanks, quotes or backslashes; % and $ escaped.</summary>
    private static string SystemdWord(string word)
    {
        var escaped = word.Replace("%", "%%", StringComparison.Ordinal).Replace("$", "$$", StringComparison.Ordinal);
        return escaped.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\')
            ? "\"" + escaped.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\""
            : escaped;
    }

    private sealed class Utf8StringWriter(StringBuilder builder) : StringWriter(builder, CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => Encoding.UTF8;
    }
}
