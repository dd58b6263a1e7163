using AgentFunctions.Hosting;

namespace AgentFunctions.Durable.Tests.Support;

/// <summary>
/// The roles every scenario host configures, with the real runners: <c>echo</c>, and <c>command</c> running small shell
/// scripts that fail, refuse, hold or sleep on purpose. Retry delays and lease times are short, so a scenario takes
/// seconds. Every script call is logged per task in <see cref="Directory"/> ("&lt;AGENTQ_ATTEMPT&gt; &lt;attempt in the prompt&gt;").
/// </summary>
internal sealed class ScenarioRoles : IDisposable
{
    /// <summary>Echo roles.</summary>
    public const string Impl = "impl";
    public const string Review = "review";
    public const string Docs = "docs";

    /// <summary>Echo, but held for an approval before it runs (<c>RequiresApproval</c>).</summary>
    public const string Gate = "gate";

    /// <summary>Fails (transiently) on its first two calls for a task, then succeeds; 3 attempts, 300 ms doubling.</summary>
    public const string Flaky = "flaky";

    /// <summary>Always fails transiently; 3 attempts, 200 ms doubling.</summary>
    public const string Broken = "broken";

    /// <summary>Always fails transiently, with a minute before the next attempt (a task can be caught waiting).</summary>
    public const string Patient = "patient";

    /// <summary>Exits 3, which the role lists as permanent.</summary>
    public const string Refuser = "refuser";

    /// <summary>Fails transiently twice, then permanently (exit 3); 5 attempts allowed.</summary>
    public const string Mixed = "mixed";

    /// <summary>Fails permanently until the test marks the task fixed (<see cref="MarkFixed"/>); replays of it succeed then.</summary>
    public const string Fixable = "fixable";

    /// <summary>Answers with a summary of 490 characters (<see cref="LoudRoles"/> are 16 such roles).</summary>
    public const string LoudPrefix = "loud-";

    /// <summary>Answers <c>needs_approval</c>.</summary>
    public const string Held = "held";

    /// <summary>Sleeps two seconds, then answers.</summary>
    public const string Slow = "slow";

    /// <summary>Remote workers lease its attempts: 2 s leases, 2 attempts, 200 ms before the second.</summary>
    public const string Worker = "worker";

    public const int WorkerLeaseSeconds = 2;

    private const string Script = """
        #!/bin/sh
        # $1: the behaviour; $2: the folder of the call logs. The prompt arrives on stdin.
        prompt=$(cat)
        seen=$(printf '%s' "$prompt" | grep -o '(attempt [0-9]* of' | head -n 1 | tr -dc '0-9')
        log="$2/$AGENTQ_TASK_ID.$AGENTQ_ROLE.log"
        echo "$AGENTQ_ATTEMPT $seen" >> "$log"
        calls=$(wc -l < "$log" | tr -dc '0-9')
        case "$1" in
          flaky)
            if [ "$calls" -lt 3 ]; then echo "503 from the model (call $calls)" >&2; exit 1; fi
            printf '{"status":"completed","summary":"flaky done on attempt %s","result":"ran as attempt %s"}' "$AGENTQ_ATTEMPT" "$AGENTQ_ATTEMPT" ;;
          broken) echo "503 service unavailable (call $calls)" >&2; exit 1 ;;
          patient) echo "still unavailable (call $calls)" >&2; exit 1 ;;
          refuser) echo "the request is malformed" >&2; exit 3 ;;
          mixed)
            if [ "$calls" -lt 3 ]; then echo "connection reset (call $calls)" >&2; exit 1; fi
            echo "the agent refused" >&2; exit 3 ;;
          fixable)
            if [ -e "$2/fixed-${AGENTQ_TASK_ID%.r*}" ]; then printf '{"status":"completed","summary":"fixed and done"}'; exit 0; fi
            echo "the tool is misconfigured" >&2; exit 3 ;;
          loud) printf '{"status":"completed","summary":"%s"}' "$(printf '%0490d' 0 | tr 0 x)" ;;
          held) printf '{"status":"needs_approval","summary":"please check attempt %s"}' "$AGENTQ_ATTEMPT" ;;
          slow) sleep 2; printf '{"status":"completed","summary":"slow done"}' ;;
        esac
        """;

    public static IReadOnlyList<string> LoudRoles { get; } = Enumerable.Range(1, 16).Select(i => LoudPrefix + i).ToList();

    public ScenarioRoles()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("agentfunctions-durable-roles-").FullName;
        ScriptPath = Path.Combine(Directory, "role.sh");
        File.WriteAllText(ScriptPath, Script.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    /// <summary>Where the script and its call logs live.</summary>
    public string Directory { get; }

    public string ScriptPath { get; }

    /// <summary>The app settings of every role, with <paramref name="storage"/> as <c>AzureWebJobsStorage</c>.</summary>
    public Dictionary<string, string?> Settings(string storage)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            [StorageNames.Connection] = storage,
            ["Limits:MinTtlSeconds"] = "1",
        };
        foreach (var echo in new[] { Impl, Review, Docs, Gate })
        {
            settings[$"Roles:{echo}:Runner"] = "echo";
        }

        settings[$"Roles:{Gate}:RequiresApproval"] = "true";
        Command(settings, Flaky, maxAttempts: 3, firstDelay: "00:00:00.3");
        Command(settings, Broken, maxAttempts: 3, firstDelay: "00:00:00.2");
        Command(settings, Patient, maxAttempts: 3, firstDelay: "00:01:00");
        Command(settings, Refuser, maxAttempts: 3, firstDelay: "00:00:00.2");
        settings[$"Roles:{Refuser}:PermanentExitCodes:0"] = "3";
        Command(settings, Mixed, maxAttempts: 5, firstDelay: "00:00:00.2");
        settings[$"Roles:{Mixed}:PermanentExitCodes:0"] = "3";
        Command(settings, Fixable, maxAttempts: 3, firstDelay: "00:00:00.2");
        settings[$"Roles:{Fixable}:PermanentExitCodes:0"] = "3";
        foreach (var loud in LoudRoles)
        {
            Command(settings, loud, maxAttempts: 1, firstDelay: "00:00:00.2", behaviour: "loud");
        }
        Command(settings, Held, maxAttempts: 1, firstDelay: "00:00:00.2");
        Command(settings, Slow, maxAttempts: 1, firstDelay: "00:00:00.2");

        settings[$"Roles:{Worker}:Runner"] = "remote";
        settings[$"Roles:{Worker}:LeaseSeconds"] = WorkerLeaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings[$"Roles:{Worker}:Retry:MaxAttempts"] = "2";
        settings[$"Roles:{Worker}:Retry:FirstDelay"] = "00:00:00.2";
        return settings;
    }

    /// <summary>The script's calls for a task's role, in order: (AGENTQ_ATTEMPT, the attempt the prompt names).</summary>
    public IReadOnlyList<(int Environment, int Prompt)> Calls(string taskId, string role)
    {
        var log = Path.Combine(Directory, $"{taskId}.{role}.log");
        return File.Exists(log)
            ? File.ReadAllLines(log).Where(l => l.Length > 0).Select(l => l.Split(' ')).Select(p => (int.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture))).ToList()
            : [];
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A script still finishing (the slow role) may hold its log for a moment; the temp folder is left behind.
        }
    }

    /// <summary>From now on the <see cref="Fixable"/> role succeeds for <paramref name="taskId"/> and its replays.</summary>
    public void MarkFixed(string taskId) => File.WriteAllText(Path.Combine(Directory, "fixed-" + taskId), string.Empty);

    private void Command(Dictionary<string, string?> settings, string role, int maxAttempts, string firstDelay, string? behaviour = null)
    {
        settings[$"Roles:{role}:Runner"] = "command";
        settings[$"Roles:{role}:Command:0"] = "/bin/sh";
        settings[$"Roles:{role}:Command:1"] = ScriptPath;
        settings[$"Roles:{role}:Command:2"] = behaviour ?? role;
        settings[$"Roles:{role}:Command:3"] = Directory;
        settings[$"Roles:{role}:Retry:MaxAttempts"] = maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings[$"Roles:{role}:Retry:FirstDelay"] = firstDelay;
        settings[$"Roles:{role}:Retry:BackoffCoefficient"] = "2";
        settings[$"Roles:{role}:Retry:MaxDelay"] = "00:02:00";
    }
}
