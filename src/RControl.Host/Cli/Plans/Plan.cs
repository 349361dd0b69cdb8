using RControl.Configuration;

namespace RControl.Host.Cli.Plans;

/// <summary>A copy between two sessions, each side written <c>session:path</c>.</summary>
public sealed record CopySpec(string From, string To);

/// <summary>One task of a plan: a command (or a copy) on a session or a group, after other tasks.</summary>
/// <param name="Name">The task's unique name.</param>
/// <param name="Target">A session or group name (a group runs the task on each member).</param>
/// <param name="Run">The command, or null for a copy.</param>
/// <param name="Copy">The copy, or null for a command.</param>
/// <param name="After">The tasks that must succeed first.</param>
public sealed record PlanTask(string Name, string Target, string? Run, CopySpec? Copy, IReadOnlyList<string> After)
{
    /// <summary>Kill the command when it runs longer than this.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Kill the command when it prints nothing for this long.</summary>
    public TimeSpan? OutputTimeout { get; init; }

    /// <summary>The exit code that means success (null: any).</summary>
    public int? ExpectedExitCode { get; init; } = 0;

    /// <summary>Read stderr with stdout (null: the CLI's default).</summary>
    public bool? CombineStderr { get; init; }

    /// <summary>What the task does, for output and JSON.</summary>
    public string Description => Run ?? $"copy {Copy!.From} {Copy.To}";
}

/// <summary>A parsed, checked plan: its sessions, its tasks and their graph.</summary>
public sealed record Plan(Inventory Inventory, IReadOnlyList<PlanTask> Tasks, PlanGraph Graph)
{
    /// <summary>A task by name.</summary>
    public PlanTask this[string name] => Tasks.First(t => t.Name == name);
}
