using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Events;
using AgentFunctions.Engine;
using AgentFunctions.Orchestration;
using Microsoft.DurableTask.Client;

namespace AgentFunctions.Tests.Orchestration;

public sealed class CustomStatusViewTests
{
    private static readonly DateTimeOffset At = new(2025, 1, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Sixteen_roles_at_full_length_fit_the_limit_and_keep_every_roles_state()
    {
        var state = FullLengthTask();
        var full = JsonSerializer.Serialize(TaskViewProjector.ToView(state), CoreJson.Options);
        Assert.True(Encoding.Unicode.GetByteCount(full) > CustomStatusView.LimitBytes, "the unshortened view should be over the limit");

        var status = CustomStatusView.ToCustomStatus(TaskViewProjector.ToView(state));

        var json = status.GetRawText();
        Assert.True(Encoding.Unicode.GetByteCount(json) <= CustomStatusView.BudgetBytes, $"{Encoding.Unicode.GetByteCount(json)} bytes of UTF-16");
        var view = status.Deserialize<TaskView>(CoreJson.Options)!;
        Assert.True(view.Truncated);
        Assert.Equal(16, view.Roles.Count);
        Assert.Equal(state.Roles.Select(r => (r.Role, r.Status, r.Attempt)), view.Roles.Select(r => (r.Role, r.State, r.Attempt)));
        Assert.Equal(state.Roles.Select(r => r.Result?.ResultRef), view.Roles.Select(r => r.ResultRef));
        Assert.Equal(state.Roles.Select(r => r.DeadLetterId), view.Roles.Select(r => r.DeadLetterId));
        Assert.Equal(AgentTaskStatus.Failed, view.State);
        Assert.NotNull(view.Outcome);
    }

    [Fact]
    public void Sixteen_roles_with_full_length_texts_keep_their_run_times_for_the_metrics()
    {
        var state = FullLengthTask(id: "pr-4711", namePadding: 12);

        var view = CustomStatusView.ToCustomStatus(TaskViewProjector.ToView(state)).Deserialize<TaskView>(CoreJson.Options)!;

        Assert.True(view.Truncated);
        Assert.All(view.Roles, r => Assert.NotNull(r.StartedAt));
        Assert.All(view.Roles, r => Assert.NotNull(r.FinishedAt));
    }

    [Fact]
    public void The_shortening_drops_progress_messages_before_summaries_before_artifacts_before_errors()
    {
        // Six roles: their long progress messages alone push the view over; summaries, artifacts and errors then stay.
        var view = SmallView() with
        {
            Roles = Enumerable.Range(1, 6).Select(i => new RoleView
            {
                Role = $"role-{i}",
                State = RoleStatus.Running,
                Attempt = 1,
                Summary = "short summary",
                LastError = "short error",
                ProgressMessage = new string('p', 499),
                Artifacts = Enumerable.Range(0, 4).Select(n => $"tasks/t1/artifacts/role-{i}/file-{n:00}-{new string('a', 150)}.txt").ToList(),
            }).ToList(),
        };
        Assert.False(CustomStatusView.Fits(CustomStatusView.Serialize(view)));
        var withoutProgress = view with { Roles = view.Roles.Select(r => r with { ProgressMessage = null }).ToList() };
        Assert.True(CustomStatusView.Fits(CustomStatusView.Serialize(withoutProgress)));

        var shortened = CustomStatusView.ToCustomStatus(view).Deserialize<TaskView>(CoreJson.Options)!;

        Assert.True(shortened.Truncated);
        Assert.All(shortened.Roles, r => Assert.Null(r.ProgressMessage));
        Assert.All(shortened.Roles, r => Assert.Equal("short summary", r.Summary));
        Assert.All(shortened.Roles, r => Assert.Equal(4, r.Artifacts.Count));
        Assert.All(shortened.Roles, r => Assert.Equal("short error", r.LastError));
    }

    [Fact]
    public void A_view_within_the_budget_is_kept_whole_and_not_marked()
    {
        var view = SmallView();

        var status = CustomStatusView.ToCustomStatus(view);

        Assert.False(status.TryGetProperty("truncated", out _));
        var back = status.Deserialize<TaskView>(CoreJson.Options)!;
        Assert.False(back.Truncated);
        Assert.Equal("a summary", back.Roles.Single().Summary);
        Assert.Equal(view.Links, back.Links);
    }

    [Fact]
    public void The_api_reads_a_shortened_status_back_with_its_mark()
    {
        var state = FullLengthTask();
        var instance = new OrchestrationMetadata(OrchestrationNames.AgentTask, state.Id)
        {
            RuntimeStatus = OrchestrationRuntimeStatus.Running,
            SerializedCustomStatus = CustomStatusView.ToCustomStatus(TaskViewProjector.ToView(state)).GetRawText(),
        };

        var view = TaskSnapshots.ReadView(instance);

        Assert.NotNull(view);
        Assert.True(view.Truncated);
        Assert.Equal(16, view.Roles.Count);
    }

    /// <summary>A task of 16 roles (by default with the longest names and id), every text at its longest, artifacts and decisions.</summary>
    private static TaskState FullLengthTask(string? id = null, int namePadding = 37)
    {
        id ??= "T" + new string('t', 99);
        var names = Enumerable.Range(0, 16).Select(i => $"r{i:00}" + new string('x', namePadding)).ToArray();
        var roles = new RoleCatalog(names.Select(n => new RoleDefinition
        {
            Name = n,
            Runner = RunnerKind.Echo,
            Retry = new RetrySchedule { MaxAttempts = 10 },
        }));
        var spec = new TaskSpec
        {
            Id = id,
            From = new string('f', TaskSpecValidator.MaxFromLength),
            ReplyTo = new string('r', TaskSpecValidator.MaxReplyToLength),
            ReplayOf = id + "~" + names[0],
            TtlSeconds = 86400,
            Type = "code",
            To = names,
            Instructions = "Do it.",
        };
        var plan = TaskPlan.Create(spec, roles, new WorkflowOptions { ApprovalTimeout = TimeSpan.FromHours(1) });
        var state = WorkflowDecider.Start(plan, At).State;
        for (var i = 0; i < names.Length; i++)
        {
            var name = names[i];
            state = Apply(state, new RoleAttemptStarted(name, 1));
            state = Apply(state, new RoleProgressReported(name, 1, 0.5, new string('p', 2000)));
            if (i % 2 == 0)
            {
                state = Apply(state, new RoleNeedsApproval(name, 1, new RoleResult
                {
                    Summary = new string('s', 2000),
                    ResultRef = $"tasks/{id}/results/{name}.md",
                    Artifacts = Enumerable.Range(0, 30).Select(n => $"tasks/{id}/artifacts/{name}/file-{n:00}.txt").ToList(),
                    Usage = new AgentUsage { InputTokens = 123456, OutputTokens = 65432, CostUsd = 1.2345m },
                }));
                state = Apply(state, new ApprovalDecided(ApprovalDecision.Approve, new string('b', 200), new string('n', 2000), name));
            }
            else
            {
                state = Apply(state, new RoleFailedFinally(name, 10, Enumerable.Range(1, 10)
                    .Select(n => new AttemptFailure(n, At, FailureKind.Transient, new string('e', 2000))).ToList()));
            }
        }

        return state;
    }

    private static TaskState Apply(TaskState state, WorkflowEvent workflowEvent)
    {
        var decision = WorkflowDecider.Apply(state, workflowEvent, At);
        Assert.True(decision.Applied, workflowEvent.GetType().Name);
        return decision.State;
    }

    private static TaskView SmallView() => new()
    {
        Id = "t1",
        State = AgentTaskStatus.Running,
        Type = "task",
        CreatedAt = At,
        UpdatedAt = At,
        Roles = [new RoleView { Role = "review", State = RoleStatus.Running, Attempt = 1, Summary = "a summary" }],
        Links = TaskViewProjector.LinksFor("t1", null),
    };
}
