using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;
using AgentFunctions.Orchestration;

namespace AgentFunctions.Tests.Orchestration;

/// <summary>
/// Orchestrator code is replayed: it may only use the context's clock, ids, timers and waits. These tests fail
/// when code in <c>AgentFunctions.Orchestration</c>, or the Core code it runs (the decider, the view projection,
/// the prompt and attempt builders, retry schedules, naming rules), reaches for the wall clock, new GUIDs, real
/// delays, threads, I/O or <c>ConfigureAwait</c> (which would resume off the orchestrator's scheduler) — by reading
/// the source and by reading the compiled IL (lambdas and async state machines included).
/// </summary>
public sealed partial class DeterminismTests
{
    /// <summary>Core namespaces the orchestrators call into, scanned whole.</summary>
    private static readonly string[] CoreNamespaces =
    [
        "AgentFunctions.Core.Workflow",
        "AgentFunctions.Core.Workflow.Commands",
        "AgentFunctions.Core.Workflow.Events",
        "AgentFunctions.Core.Status",
        "AgentFunctions.Core.Prompts",
        "AgentFunctions.Core.Retries",
        "AgentFunctions.Core.Json",
        "AgentFunctions.Core.Text",
    ];

    /// <summary>Core types the orchestrators use from namespaces that also hold I/O code (stores, validation), scanned one by one.</summary>
    private static readonly Type[] CoreTypes =
    [
        typeof(Core.Storage.ArtifactLayout),
        typeof(Core.Tasks.Identifiers),
        typeof(Core.Tasks.TaskSpec),
        typeof(Core.Tasks.TaskPayload),
        typeof(Core.Tasks.TaskRetryOverride),
        typeof(Core.Tasks.SpecFingerprint),
        typeof(Core.Runners.AgentAttempt),
        typeof(Core.Runners.AttemptInput),
        typeof(Core.Telemetry.TraceContext),
    ];

    private static readonly (Type Type, string? Member)[] Forbidden =
    [
        (typeof(DateTime), "get_Now"),
        (typeof(DateTime), "get_UtcNow"),
        (typeof(DateTime), "get_Today"),
        (typeof(DateTimeOffset), "get_Now"),
        (typeof(DateTimeOffset), "get_UtcNow"),
        (typeof(Guid), "NewGuid"),
        (typeof(Guid), "CreateVersion7"),
        (typeof(Task), "Delay"),
        (typeof(Task), "Run"),
        (typeof(Thread), "Sleep"),
        (typeof(TimeProvider), null),
        (typeof(Random), null),
        (typeof(Environment), null),
        (typeof(System.Diagnostics.Stopwatch), null),
        (typeof(File), null),
        (typeof(Directory), null),
        (typeof(FileStream), null),
        (typeof(HttpClient), null),
        (typeof(Task), "ConfigureAwait"),
        (typeof(ValueTask), "ConfigureAwait"),
        (typeof(ThreadPool), null),
        (typeof(Parallel), null),

        // Orchestrators pass the task's trace context on; they never read the current span or make up ids.
        (typeof(System.Diagnostics.Activity), null),
        (typeof(System.Diagnostics.ActivityTraceId), "CreateRandom"),
        (typeof(System.Diagnostics.ActivitySpanId), "CreateRandom"),
        (typeof(System.Security.Cryptography.RandomNumberGenerator), null),
    ];

    [Fact]
    public void Orchestrator_source_uses_no_clock_guid_delay_sleep_or_io()
    {
        var root = RepositoryRoot();
        var core = Path.Combine(root, "src", "AgentFunctions.Core");
        var files = Directory.GetFiles(Path.Combine(root, "src", "AgentFunctions", "Orchestration"), "*.cs")
            .Concat(CoreNamespaces.SelectMany(ns => Directory.GetFiles(
                Path.Combine([core, .. ns["AgentFunctions.Core.".Length..].Split('.')]), "*.cs")))
            .Concat(CoreTypes.Select(t => Path.Combine(core, t.Namespace!["AgentFunctions.Core.".Length..], t.Name + ".cs")))
            .Distinct()
            .ToList();
        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.True(File.Exists(f), f));

        var offences = files
            .SelectMany(file => File.ReadAllLines(file).Select((line, index) => (file, line, index)))
            .Where(x => ForbiddenSource().IsMatch(x.line))
            .Select(x => $"{Path.GetFileName(x.file)}:{x.index + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(offences.Count == 0, "Non-deterministic code in orchestrations:\n" + string.Join("\n", offences));
    }

    [Fact]
    public void Orchestrator_il_calls_no_clock_guid_delay_sleep_or_io()
    {
        var types = ScannedTypes();
        Assert.Contains(types, t => t.Name.Contains("AgentTaskRun", StringComparison.Ordinal));
        Assert.Contains(types, t => t == typeof(Core.Workflow.WorkflowDecider));
        Assert.Contains(types, t => t == typeof(Core.Status.TaskViewProjector));
        Assert.Contains(types, t => t == typeof(Core.Prompts.PromptBuilder));
        Assert.Contains(types, t => t.DeclaringType is not null); // state machines and closures are scanned too

        var offences = types.SelectMany(ForbiddenCalls).ToList();
        Assert.True(offences.Count == 0, "Non-deterministic calls in orchestrations:\n" + string.Join("\n", offences));
    }

    [Fact]
    public void Every_core_type_the_orchestrators_call_is_scanned()
    {
        // A new Core dependency of orchestrator code must join the scan (CoreNamespaces or CoreTypes).
        var scanned = ScannedTypes().ToHashSet();
        var coreAssembly = typeof(Core.Workflow.WorkflowDecider).Assembly;
        var orchestration = OrchestrationTypes();
        var unscanned = orchestration
            .SelectMany(t => t.GetMethods(AllDeclared).Cast<MethodBase>().Concat(t.GetConstructors(AllDeclared)))
            .SelectMany(CalledMembers)
            .Select(m => m.DeclaringType)
            .OfType<Type>()
            .Select(t => t.IsGenericType ? t.GetGenericTypeDefinition() : t)
            .Where(t => t.Assembly == coreAssembly && !scanned.Contains(t) && !t.IsEnum)
            .Select(t => t.FullName)
            .Distinct()
            .ToList();
        Assert.True(unscanned.Count == 0, "Core types called from orchestrations but not scanned:\n" + string.Join("\n", unscanned));
    }

    [Fact]
    public void The_il_scan_notices_configure_await()
    {
        var offences = ForbiddenCalls(typeof(ConfigureAwaitUser)).Concat(typeof(ConfigureAwaitUser).GetNestedTypes(AllDeclared).SelectMany(ForbiddenCalls)).ToList();
        Assert.Contains(offences, o => o.Contains("ConfigureAwait", StringComparison.Ordinal));
    }

    private const BindingFlags AllDeclared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static List<Type> OrchestrationTypes() => typeof(AgentTaskOrchestrator).Assembly.GetTypes()
        .Where(t => t.Namespace == typeof(AgentTaskOrchestrator).Namespace)
        .ToList();

    /// <summary>The orchestration namespace and the Core code it runs, nested types (closures, state machines) included.</summary>
    private static List<Type> ScannedTypes()
    {
        var core = typeof(Core.Workflow.WorkflowDecider).Assembly.GetTypes()
            .Where(t => CoreNamespaces.Contains(t.Namespace) || CoreTypes.Contains(t) || (t.DeclaringType is { } outer && CoreTypes.Contains(Outermost(outer))));
        return OrchestrationTypes().Concat(core).Distinct().ToList();
    }

    private static Type Outermost(Type type) => type.DeclaringType is { } outer ? Outermost(outer) : type;

    [Fact]
    public void The_il_scan_notices_a_wall_clock_read()
    {
        // The scanner itself is checked against a type that does what orchestrators must not.
        var offences = ForbiddenCalls(typeof(WallClockReader)).ToList();
        Assert.Contains(offences, o => o.Contains("get_UtcNow", StringComparison.Ordinal));
        Assert.Contains(offences, o => o.Contains("NewGuid", StringComparison.Ordinal));
    }

    private static IEnumerable<string> ForbiddenCalls(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var methods = type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all));
        foreach (var method in methods)
        {
            foreach (var called in CalledMembers(method))
            {
                var declaring = called.DeclaringType;
                if (declaring is null)
                {
                    continue;
                }

                foreach (var (forbiddenType, member) in Forbidden)
                {
                    if ((declaring == forbiddenType || declaring.IsSubclassOf(forbiddenType)) && (member is null || called.Name == member))
                    {
                        yield return $"{type.FullName}.{method.Name} calls {declaring.Name}.{called.Name}";
                    }
                }
            }
        }
    }

    private static IEnumerable<MemberInfo> CalledMembers(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var position = 0;
        while (position < il.Length)
        {
            OpCode code;
            if (il[position] == 0xFE)
            {
                code = TwoByte[il[position + 1]];
                position += 2;
            }
            else
            {
                code = OneByte[il[position]];
                position += 1;
            }

            var operandSize = OperandSize(code.OperandType, il, position);
            if (code.OperandType is OperandType.InlineMethod or OperandType.InlineField)
            {
                var token = BitConverter.ToInt32(il, position);
                MemberInfo? member = null;
                try
                {
                    member = method.Module.ResolveMember(token, typeArguments, methodArguments);
                }
                catch (ArgumentException)
                {
                    // Tokens of generic members whose context cannot be resolved here are skipped.
                }

                if (member is not null)
                {
                    yield return member;
                }
            }

            position += operandSize;
        }
    }

    private static int OperandSize(OperandType type, byte[] il, int position) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, position)),
        _ => 4,
    };

    private static readonly OpCode[] OneByte = OpCodesBy(twoByte: false);

    private static readonly OpCode[] TwoByte = OpCodesBy(twoByte: true);

    private static OpCode[] OpCodesBy(bool twoByte)
    {
        var table = new OpCode[256];
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var code = (OpCode)field.GetValue(null)!;
            var value = (ushort)code.Value;
            if (twoByte && code.Size == 2)
            {
                table[value & 0xFF] = code;
            }
            else if (!twoByte && code.Size == 1)
            {
                table[value] = code;
            }
        }

        return table;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AgentFunctions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("AgentFunctions.sln not found above the test binaries.");
    }

    [GeneratedRegex(@"\bDateTime(Offset)?\.(Now|UtcNow|Today)\b|\bGuid\.(NewGuid|CreateVersion7)\b|\bTask\.(Delay|Run)\b|\bThread\.Sleep\b|\bTimeProvider\b|\bnew Random\b|\bEnvironment\.|\b(File|Directory|FileStream|HttpClient|Stopwatch|ThreadPool|Parallel)\b|\.ConfigureAwait\(|\bActivity\.Current\b|\.CreateRandom\(")]
    private static partial Regex ForbiddenSource();

    private static class ConfigureAwaitUser
    {
        public static async Task WaitAsync(Task task) => await task.ConfigureAwait(false);
    }

    private static class WallClockReader
    {
        public static string Read() => DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture) + Guid.NewGuid();
    }
}
