using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using AgentFunctions.Core.Contracts;
using AgentQ.Agent;
using AgentQ.Cli;
using AgentQ.Config;
using AgentQ.Http;
using AgentQ.Output;

namespace AgentQ.Commands;

/// <summary>
/// <c>agentq init [--url U] [--key K] [--profile P]</c>: writes or updates a profile in <c>~/.agentq/config.json</c> (0600),
/// then checks the server's health and lists the roles it offers. Safe to run again: the same answers change nothing.
/// </summary>
public static partial class InitCommand
{
    public const string DefaultProfileName = "default";

    public static Command Create(GlobalOptions globals, CliRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var command = new Command("init", "Save a server profile (--url, --key, --profile) in ~/.agentq/config.json, check the server and list its roles; safe to run again");
        CommandActions.Set(command, globals, runtime, async (context, cancellationToken) =>
        {
            var environment = context.Environment;
            var path = ConnectionResolver.ConfigPath(environment.HomeDirectory);
            var name = NonEmpty(context.Get(globals.Profile)) ?? NonEmpty(environment.GetVariable(ConnectionResolver.ProfileVariable))
                ?? ProfileWriter.DefaultName(path) ?? DefaultProfileName;
            if (!ProfileName().IsMatch(name))
            {
                throw CliException.Usage($"--profile '{name}' must be letters, digits, '.', '_' or '-' (at most 64)");
            }

            var existing = ProfileWriter.Find(path, name);
            var urlText = NonEmpty(context.Get(globals.Url)) ?? NonEmpty(environment.GetVariable(ConnectionResolver.UrlVariable)) ?? NonEmpty(existing?.Url) ?? ConnectionResolver.DefaultUrl;
            if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                throw CliException.Usage($"'{urlText}' is not an http:// or https:// URL");
            }

            // A key saved for another server is never carried over to this one.
            var keptKey = existing is { Key: { } saved } && existing.Url is { } oldUrl && SameOrigin(oldUrl, url) ? saved : null;
            var key = NonEmpty(context.Get(globals.Key)) ?? NonEmpty(environment.GetVariable(ConnectionResolver.KeyVariable)) ?? keptKey;
            var urlSaved = url.GetLeftPart(UriPartial.Path).TrimEnd('/');
            var isDefault = ProfileWriter.Save(path, name, urlSaved, key) || ProfileWriter.DefaultName(path) == name;

            using var client = new AgentQClient(new ConnectionSettings(url, key, name), runtime.HttpHandler);
            var savedNote = $"profile '{name}' saved in {path}";
            HealthReport health;
            try
            {
                var response = await client.SendAsync(HttpMethod.Get, client.Api("health"), null, cancellationToken);
                if (response.Status != HttpStatusCode.ServiceUnavailable)
                {
                    client.EnsureSuccess(response);
                }

                health = response.Read<HealthReport>();
            }
            catch (CliException ex)
            {
                throw new CliException(ex.ExitCode, $"{savedNote}, but the server check failed: {ex.Message}");
            }

            IReadOnlyList<RoleInfo>? roles = null;
            string? rolesError = null;
            var listed = await client.SendAsync(HttpMethod.Get, client.Api("roles"), null, cancellationToken);
            try
            {
                client.EnsureSuccess(listed);
                roles = listed.Read<Page<RoleInfo>>().Items;
            }
            catch (CliException ex) when (listed.Status == HttpStatusCode.Unauthorized)
            {
                // A key the server does not know (or none where one is needed) makes every later command fail: say so now.
                throw new CliException(ExitCode.Unauthorized, $"{savedNote} as given, but the server refused its key: {ex.Message}");
            }
            catch (CliException ex) when (listed.Status is HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
            {
                // A worker's key may lack the read scope; an older server has no /roles. The profile still works.
                rolesError = ex.Message;
            }

            var report = new InitReport(name, path, urlSaved, key is not null, isDefault, health, roles, rolesError);
            if (context.Output.Json)
            {
                context.Output.WriteJson(report);
            }
            else
            {
                Describe(context.Output, report);
            }

            return health.Status == "unhealthy" ? ExitCode.Error : ExitCode.Ok;
        });
        return command;
    }

    private static void Describe(CliOutput output, InitReport report)
    {
        var key = report.KeySaved ? "with a key" : "without a key";
        var isDefault = report.IsDefault ? " (the default profile)" : $" (use it with --profile {report.Profile})";
        output.Line($"profile '{report.Profile}' saved in {report.ConfigPath}: {report.Url}, {key}{isDefault}");
        if (report.Health is { } health)
        {
            output.Line($"server: {health.Status}, engine {health.Engine}, version {health.Version}");
        }

        if (report.Roles is { } roles)
        {
            var rows = roles.Select(r => (IReadOnlyList<string>)
            [
                r.Name,
                r.Runner,
                r.Capabilities.Count == 0 ? "-" : string.Join(',', r.Capabilities),
                r.RequiresApproval ? "yes" : "no",
                r.Retry.MaxAttempts.ToString(CultureInfo.InvariantCulture),
                r.Runner == "remote" ? Fmt.Seconds(r.MaxLeaseSeconds) : "-",
            ]).ToList();
            output.Table(new TableData(["ROLE", "RUNNER", "CAPABILITIES", "APPROVAL", "ATTEMPTS", "MAX LEASE"], rows));
            if (roles.FirstOrDefault(r => r.Runner == "remote") is { } remote)
            {
                output.Line($"work on a remote role yourself: agentq take --role {remote.Name}");
            }
        }
        else
        {
            output.Note($"the roles could not be listed: {report.RolesError}");
        }
    }

    private static bool SameOrigin(string saved, Uri url) =>
        Uri.TryCreate(saved, UriKind.Absolute, out var old)
        && Uri.Compare(old, url, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ProfileName();
}
