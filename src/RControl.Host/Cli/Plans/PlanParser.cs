using Akka.Configuration;
using Akka.Configuration.Hocon;
using RControl.Configuration;
using RControl.Host.Cli.Targets;

namespace RControl.Host.Cli.Plans;

/// <summary>
/// Reads a plan file: the HOCON session schema (<c>sessions</c>, <c>groups</c>) plus <c>tasks</c>, either a
/// list of objects with a <c>name</c> or an object keyed by task name. Every problem is a <see cref="UsageException"/>.
/// </summary>
public static class PlanParser
{
    private static readonly HashSet<string> TaskKeys = new(StringComparer.Ordinal)
    {
        "name", "session", "group", "run", "copy", "after", "timeout", "output-timeout", "expected-exit-code", "combine-stderr",
    };

    /// <summary>Reads and checks a plan file; <paramref name="extra"/> (from <c>--inventory</c>) adds sessions the plan does not define.</summary>
    public static Plan ParseFile(string path, Inventory? extra = null)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"plan file not found: {path}");
        }

        return Parse(File.ReadAllText(path), path, extra);
    }

    /// <summary>Parses and checks plan text (<paramref name="source"/> names it in errors).</summary>
    public static Plan Parse(string hocon, string source, Inventory? extra = null)
    {
        var config = InventoryFiles.ParseHocon(hocon, source);
        if (HoconSource.Duplicates(hocon, "tasks") is [var (key, line), ..])
        {
            throw new UsageException($"duplicate task name '{key}' ({source}: line {line})");
        }

        InventoryFiles.CheckRootKeys(config, source, hocon, ["sessions", "groups", "tasks"]);
        var inventory = InventoryFiles.Merge(InventoryFiles.Read(config, source, hocon), extra);
        var tasks = ReadTasks(config, source);
        if (tasks.Count == 0)
        {
            throw new UsageException($"{source}: no tasks (add a 'tasks' list)");
        }

        var graph = PlanGraph.Create(tasks.Select(t => (t.Name, t.After)));
        foreach (var task in tasks)
        {
            CheckTarget(inventory, task.Name, task.Target);
            if (inventory.Groups.TryGetValue(task.Target, out var members) && members.Count == 0)
            {
                throw new UsageException($"task '{task.Name}': group '{task.Target}' is empty (the task would run nowhere)");
            }

            if (task.Copy is { } copy)
            {
                CheckEndpoint(inventory, task.Name, copy.From);
                CheckEndpoint(inventory, task.Name, copy.To);
            }
        }

        return new Plan(inventory, tasks, graph);
    }

    private static List<PlanTask> ReadTasks(Config config, string source)
    {
        var result = new List<PlanTask>();
        if (!config.HasPath("tasks"))
        {
            return result;
        }

        var value = config.GetValue("tasks");
        if (HoconValues.IsList(value))
        {
            var index = 0;
            foreach (var item in value.GetArray())
            {
                index++;
                if (!item.IsObject())
                {
                    throw new UsageException($"{source}: tasks[{index}] is not an object");
                }

                var c = new Config(new HoconRoot(item));
                var name = c.GetString("name", null);
                if (string.IsNullOrWhiteSpace(name))
                {
                    throw new UsageException($"{source}: tasks[{index}] has no 'name'");
                }

                result.Add(ReadTask(name, c, item.GetObject()));
            }
        }
        else if (value.IsObject())
        {
            foreach (var name in value.GetObject().Items.Keys)
            {
                var item = value.GetObject().Items[name];
                if (!item.IsObject())
                {
                    throw new UsageException($"{source}: task '{name}' is not an object");
                }

                result.Add(ReadTask(name, new Config(new HoconRoot(item)), item.GetObject()));
            }
        }
        else
        {
            throw new UsageException($"{source}: 'tasks' must be a list of objects or an object");
        }

        return result;
    }

    private static PlanTask ReadTask(string name, Config c, HoconObject raw)
    {
        var unknown = raw.Items.Keys.Where(k => !TaskKeys.Contains(k)).ToArray();
        if (unknown.Length > 0)
        {
            throw new UsageException(
                $"task '{name}': unknown key(s) {string.Join(", ", unknown)}{(unknown.Length == 1 ? KeySuggestion.Hint(unknown[0], TaskKeys) : "")} (known: {string.Join(", ", TaskKeys)})");
        }

        var session = c.GetString("session", null);
        var group = c.GetString("group", null);
        var run = c.HasPath("run") ? c.GetString("run") : null;
        CopySpec? copy = null;
        if (raw.Items.ContainsKey("copy"))
        {
            var from = c.GetString("copy.from", null);
            var to = c.GetString("copy.to", null);
            if (string.IsNullOrWhiteSpace(from) || string.IsNullOrWhiteSpace(to))
            {
                throw new UsageException($"task '{name}': copy needs 'from' and 'to' (session:path)");
            }

            copy = new CopySpec(from, to);
        }

        if ((run is null) == (copy is null))
        {
            throw new UsageException($"task '{name}': give exactly one of 'run' or 'copy'");
        }

        if (copy is not null && session is null && group is null)
        {
            // A copy is shown under its source session unless the task names one.
            session = copy.From.Split(':')[0];
        }

        if ((session is null) == (group is null))
        {
            throw new UsageException($"task '{name}': give exactly one of 'session' or 'group'");
        }

        if (run is not null && string.IsNullOrWhiteSpace(run))
        {
            throw new UsageException($"task '{name}': empty command");
        }

        var after = c.HasPath("after") ? ReadAfter(name, c) : [];
        var task = new PlanTask(name, (session ?? group)!, run, copy, after);
        try
        {
            if (c.HasPath("timeout"))
            {
                task = task with { Timeout = Inventory.Duration($"task '{name}'", "timeout", c) };
            }

            if (c.HasPath("output-timeout"))
            {
                task = task with { OutputTimeout = Inventory.Duration($"task '{name}'", "output-timeout", c) };
            }
        }
        catch (ConfigurationException e)
        {
            throw new UsageException(e.Message, e);
        }

        if (raw.Items.TryGetValue("expected-exit-code", out var code))
        {
            var text = code.IsEmpty ? "null" : code.GetString();
            task = task with
            {
                ExpectedExitCode = text is null or "null" or "any" ? null
                    : int.TryParse(text, out var n) ? n
                    : throw new UsageException($"task '{name}': expected-exit-code must be a number or null, got '{text}'"),
            };
        }

        if (c.HasPath("combine-stderr"))
        {
            task = task with
            {
                CombineStderr = c.GetString("combine-stderr") switch
                {
                    "true" or "on" or "yes" => true,
                    "false" or "off" or "no" => false,
                    var other => throw new UsageException($"task '{name}': combine-stderr must be true or false, got '{other}'"),
                },
            };
        }

        return task;
    }

    private static IReadOnlyList<string> ReadAfter(string name, Config c)
    {
        var value = c.GetValue("after");
        return HoconValues.IsStringList(value) ? value.GetArray().Select(v => v.GetString()).ToArray()
            : value.IsString() ? [value.GetString()]
            : throw new UsageException($"task '{name}': 'after' must be a list of task names");
    }

    private static void CheckTarget(Inventory inventory, string task, string target)
    {
        if (target != TargetResolver.LocalName && !inventory.Sessions.ContainsKey(target) && !inventory.Groups.ContainsKey(target))
        {
            throw new UsageException(
                $"task '{task}': unknown session '{target}' (known: {string.Join(", ", inventory.Sessions.Keys.Concat(inventory.Groups.Keys).Append(TargetResolver.LocalName).Distinct().Order(StringComparer.Ordinal))})");
        }
    }

    private static void CheckEndpoint(Inventory inventory, string task, string endpoint)
    {
        string session;
        try
        {
            session = Running.Copies.Split(endpoint).Session;
        }
        catch (UsageException e)
        {
            throw new UsageException($"task '{task}': copy endpoint {e.Message}", e);
        }

        if (session != TargetResolver.LocalName && !inventory.Sessions.ContainsKey(session))
        {
            throw new UsageException($"task '{task}': unknown session '{session}' in copy endpoint '{endpoint}'");
        }
    }
}
