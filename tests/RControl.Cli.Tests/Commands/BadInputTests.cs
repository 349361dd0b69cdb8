using RControl.Cli.Tests.Support;

namespace RControl.Cli.Tests.Commands;

/// <summary>Every bad input: status 2, one line on stderr naming the problem, nothing on stdout, nothing run.</summary>
public class BadInputTests : IClassFixture<BadInputTests.Runs>
{
    private readonly Runs _runs;

    public BadInputTests(Runs runs)
    {
        _runs = runs;
    }

    public static TheoryData<string, string[], string> Cases() => new()
    {
        { "unknown option", ["exec", "-t", "local", "--bogus", "--", "touch MARKER"], "unknown option '--bogus'" },
        { "unknown option before target", ["exec", "--frobnicate", "-t", "local", "--", "touch MARKER"], "--frobnicate" },
        { "unknown command", ["launch", "x"], "launch" },
        { "missing target", ["exec", "--", "touch MARKER"], "--target" },
        { "empty command", ["exec", "-t", "local", "--", "  "], "empty command" },
        { "missing command", ["exec", "-t", "local"], "command" },
        { "negative timeout", ["exec", "-t", "local", "--timeout", "-5", "--", "touch MARKER"], "--timeout must be positive" },
        { "bad output timeout", ["exec", "-t", "local", "--output-timeout", "soon", "--", "touch MARKER"], "--output-timeout: 'soon' is not a duration" },
        { "bad fanout", ["exec", "-t", "local", "--fanout", "0", "--", "touch MARKER"], "--fanout must be at least 1" },
        { "bad exit code", ["exec", "-t", "local", "--expected-exit-code", "zero", "--", "touch MARKER"], "--expected-exit-code" },
        { "bad policy", ["exec", "-t", "x@h.example.com", "--host-key-policy", "yolo", "--", "touch MARKER"], "yolo" },
        { "unknown session", ["exec", "-t", "local", "-t", "mordor", "--", "touch MARKER"], "unknown session 'mordor'" },
        { "bad host range", ["exec", "-t", "web[5-1].example.com", "--", "touch MARKER"], "bad host range 'web[5-1].example.com'" },
        { "bad port", ["exec", "-t", "me@host.example.com:99999", "--", "touch MARKER"], "port '99999'" },
        { "missing inventory", ["exec", "--inventory", "no-such-inventory.hocon", "-t", "local", "--", "touch MARKER"], "inventory file not found: no-such-inventory.hocon" },
        { "json and gather", ["exec", "-t", "local", "--json", "-b", "--", "touch MARKER"], "--json and --gather" },
        { "missing plan file", ["run", "no-such-plan.hocon"], "plan file not found: no-such-plan.hocon" },
        { "run without a plan", ["run"], "run" },
        { "run unknown option", ["run", "cycle.hocon", "--bogus"], "--bogus" },
        { "copy unknown option", ["copy", "local:/etc/hostname", "local:MARKER", "--bogus"], "--bogus" },
        { "copy bad endpoint", ["copy", "local:/etc/hostname", "MARKER"], "'MARKER' is not session:path" },
        { "bad daemon address", ["exec", "-t", "local", "--daemon", "localhost:4053", "--", "touch MARKER"], "is not an Akka address" },
        { "plan syntax error", ["run", "syntax.hocon"], "HOCON syntax error in syntax.hocon: line 3: unterminated string" },
        { "plan unbalanced", ["run", "unbalanced.hocon"], "HOCON syntax error in unbalanced.hocon: line 2: '[' is never closed" },
        { "plan unknown session", ["run", "unknown-session.hocon"], "task 'B': unknown session 'mordor'" },
        { "plan duplicate names", ["run", "duplicate.hocon"], "duplicate task name 'A'" },
        { "plan cycle", ["run", "cycle.hocon"], "dependency cycle: A -> C -> B -> A" },
        { "plan duplicate names, object form", ["run", "duplicate-object.hocon"], "duplicate task name 'A' (duplicate-object.hocon: line 4)" },
        { "plan unknown dependency", ["run", "unknown-after.hocon"], "task 'A': unknown task 'Z' in after" },
        { "plan empty command", ["run", "empty.hocon"], "task 'A': empty command" },
        { "plan bad duration", ["run", "duration.hocon"], "task 'A': 'timeout'" },

        // Typos never run something else: the command is only what follows --.
        { "stray word before --", ["exec", "-t", "local", "--plain", "yes", "--", "touch MARKER"], "unexpected 'yes' before -- (--plain takes true, false or nothing" },
        { "bad boolean value", ["exec", "-t", "local", "--combine-stderr", "maybe", "--", "touch", "MARKER"], "unexpected 'maybe' before --" },
        { "command without --", ["exec", "-t", "local", "touch", "MARKER"], "the command goes after --" },
        { "no command at all", [], "no command given" },
        { "target starting with @", ["exec", "-t", "@host", "--", "touch MARKER"], "bad target '@host'" },
        { "fanout not a number", ["exec", "-t", "local", "--fanout", "abc", "--", "touch MARKER"], "--fanout: 'abc' is not a whole number" },
        { "timeout 1e400", ["exec", "-t", "local", "--timeout", "1e400", "--", "touch MARKER"], "--timeout: '1e400' is not a duration" },
        { "timeout Infinity", ["exec", "-t", "local", "--timeout", "Infinity", "--", "touch MARKER"], "--timeout: 'Infinity' is not a duration" },
        { "timeout NaN", ["exec", "-t", "local", "--timeout", "NaN", "--", "touch MARKER"], "--timeout: 'NaN' is not a duration" },
        { "bad connect timeout", ["exec", "-t", "local", "--connect-timeout", "later", "--", "touch MARKER"], "--connect-timeout: 'later' is not a duration" },
        { "bad user", ["exec", "-t", "local", "-l", "a@b", "--", "touch MARKER"], "--user: 'a@b' is not a user name" },
        { "passphrase variable unset", ["exec", "-t", "local", "--passphrase-env", "RCONTROL_TEST_SURELY_UNSET", "--", "touch MARKER"], "environment variable 'RCONTROL_TEST_SURELY_UNSET' is not set" },
        { "ask-pass without a terminal", ["exec", "-t", "local", "--ask-pass", "--", "touch MARKER"], "--ask-pass: stdin is not a terminal" },
        { "copy refuses command options", ["copy", "local:/etc/hostname", "local:MARKER", "--timeout", "3"], "'--timeout'" },

        // Session keys are checked like task keys, with the file and line.
        { "session key prot", ["exec", "--inventory", "prot.hocon", "-t", "web1", "--", "touch MARKER"], "prot.hocon:5: session 'web1': unknown key 'prot' (did you mean 'port'?)" },
        { "session key identity-file", ["exec", "--inventory", "identity.hocon", "-t", "local", "--", "touch MARKER"], "identity.hocon:2: session 'web1': unknown key 'identity-file' (did you mean 'identity-files'?)" },
        { "session key hostt", ["exec", "--inventory", "hostt.hocon", "-t", "local", "--", "touch MARKER"], "hostt.hocon:3: session 'web1': unknown key 'hostt' (did you mean 'host'?)" },
        { "local max-channels lots", ["exec", "--inventory", "local-lots.hocon", "-t", "l", "--", "touch MARKER"], "local-lots.hocon:2: session 'l': unknown key 'max-channels'" },
        { "ssh max-channels lots", ["exec", "--inventory", "ssh-lots.hocon", "-t", "local", "--", "touch MARKER"], "ssh-lots.hocon:5: session 'web3': 'max-channels' must be a whole number, got 'lots'" },
        { "ssh port not a number", ["exec", "--inventory", "port-word.hocon", "-t", "local", "--", "touch MARKER"], "port-word.hocon:1: session 'w': 'port' must be a whole number, got 'ssh'" },
        { "identity-files not a list", ["exec", "--inventory", "ids-string.hocon", "-t", "local", "--", "touch MARKER"], "session 'w': 'identity-files' must be a list of strings" },
        { "inventory root typo", ["exec", "--inventory", "sesions.hocon", "-t", "local", "--", "touch MARKER"], "sesions.hocon:1: unknown key 'sesions' (did you mean 'sessions'?)" },
        { "include of a missing file", ["exec", "--inventory", "include.hocon", "-t", "local", "--", "touch MARKER"], "include \"nothere.conf\": file not found" },
        { "plan with no tasks", ["run", "no-tasks.hocon"], "no-tasks.hocon: no tasks" },
        { "plan task on an empty group", ["run", "empty-group.hocon"], "task 'A': group 'nobody' is empty" },
        { "plan task key typo", ["run", "task-typo.hocon"], "task 'A': unknown key(s) afer (did you mean 'after'?)" },
        { "plan root key typo", ["run", "plan-typo.hocon"], "plan-typo.hocon:1: unknown key 'task' (did you mean 'tasks'?)" },
        { "plan bad combine-stderr", ["run", "combine.hocon"], "task 'A': combine-stderr must be true or false, got 'maybe'" },

        // The pssh/clush options: a typo in any of them is refused before anything runs.
        { "hosts file missing", ["exec", "--hosts", "no-hosts.txt", "--", "touch MARKER"], "--hosts: file 'no-hosts.txt' not found" },
        { "hosts file bad port", ["exec", "--hosts", "hosts-port.txt", "--", "touch MARKER"], "hosts-port.txt:3: bad target 'me@web1.example.com:99999'" },
        { "hosts file three words", ["exec", "--hosts", "hosts-words.txt", "--", "touch MARKER"], "hosts-words.txt:1: expected '[user@]host[:port] [user]'" },
        { "hosts file empty", ["exec", "--hosts", "hosts-empty.txt", "--", "touch MARKER"], "--hosts: file 'hosts-empty.txt' lists no host" },
        { "exclude unknown group", ["exec", "-t", "local", "-X", "mordor", "--", "touch MARKER"], "-X: unknown group 'mordor'" },
        { "exclude everything", ["exec", "-t", "local", "-x", "local", "--", "touch MARKER"], "-x/-X excluded every target" },
        { "diff with json", ["exec", "-t", "local", "--diff", "--json", "--", "touch MARKER"], "--diff cannot be used with --json" },
        { "maxrc with a value", ["exec", "-t", "local", "-S", "yes", "--", "touch MARKER"], "unexpected 'yes' before --" },
        { "ssh option unknown", ["exec", "-t", "local", "-o", "ForwardAgent=yes", "--", "touch MARKER"], "-o ForwardAgent: not an ssh option rcontrol understands" },
        { "ssh option typo", ["exec", "-t", "local", "-o", "Prot=2222", "--", "touch MARKER"], "(did you mean 'Port'?)" },
        { "ssh option bad port", ["exec", "-t", "local", "-o", "Port=ssh", "--", "touch MARKER"], "-o Port: 'ssh' is not a port" },
        { "ssh option not key=value in run", ["run", "cycle.hocon", "-o", "somewhere"], "-o 'somewhere': expected Key=Value" },
        { "two output folders", ["exec", "-t", "local", "-o", "a", "--outdir", "b", "--", "touch MARKER"], "more than one output folder" },
        { "stdin file missing", ["exec", "-t", "local", "--stdin", "no-input.txt", "--", "touch MARKER"], "--stdin no-input.txt:" },
        { "copy unknown force option", ["copy", "local:/etc/hostname", "local:MARKER", "--forse"], "--forse" },
        { "copy group to group", ["copy", "--inventory", "pairs.hocon", "both:/etc/hostname", "both:MARKER"], "one side must be a single session" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_exits_2_with_one_line_naming_the_problem_and_runs_nothing(string what, string[] args, string expected)
    {
        var r = await _runs.Result(what);
        Assert.True(r.ExitCode == 2, $"{what}: {r}");
        var errorLines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(errorLines.Length == 1, $"{what}: expected one stderr line: {r}");
        Assert.StartsWith("rcontrol: error: ", errorLines[0]);
        Assert.Contains(expected, errorLines[0]);
        Assert.Equal(string.Empty, r.Stdout);
        Assert.False(File.Exists(Path.Combine(_runs.Dir(what), "MARKER")), $"{what}: something ran");
        _ = args;
    }

    /// <summary>Starts every case at once (each in its own directory), so the cases cost one CLI start, not twenty-five.</summary>
    public sealed class Runs : IDisposable
    {
        private readonly TempDir _root = new();
        private readonly Dictionary<string, (string Dir, Task<CliResult> Run)> _runs = new();

        public Runs()
        {
            foreach (var row in Cases())
            {
                var what = (string)row[0];
                var dir = Path.Combine(_root.Path, what.Replace(' ', '-'));
                Directory.CreateDirectory(dir);
                WritePlans(dir);
                _runs[what] = (dir, CliProcess.RunInAsync(dir, (string[])row[1]));
            }
        }

        public Task<CliResult> Result(string what) => _runs[what].Run;

        public string Dir(string what) => _runs[what].Dir;

        public void Dispose()
        {
            Task.WhenAll(_runs.Values.Select(r => r.Run)).Wait(TimeSpan.FromMinutes(2));
            _root.Dispose();
        }
    }

    private static void WritePlans(string dir)
    {
        void Write(string name, string text) => File.WriteAllText(Path.Combine(dir, name), text);
        const string ok = "{ name = OK, session = local, run = \"touch MARKER\" }\n";
        Write("syntax.hocon", "tasks = [\n" + ok + "  { name = A, session = local, run = \"echo }\n]\n");
        Write("unbalanced.hocon", "sessions { s { type = local } }\ntasks = [\n" + ok + "  { name = A, session = s, run = \"echo\" }\n");
        Write("unknown-session.hocon", "tasks = [\n" + ok + " { name = B, session = mordor, run = \"echo\" }\n]\n");
        Write("duplicate.hocon", "tasks = [\n" + ok + " { name = A, session = local, run = \"echo 1\" }\n { name = A, session = local, run = \"echo 2\" }\n]\n");
        Write("duplicate-object.hocon", "tasks {\n OK { session = local, run = \"touch MARKER\" }\n A { session = local, run = \"echo 1\" }\n A { session = local, run = \"echo 2\" }\n}\n");
        Write("cycle.hocon", "tasks = [\n" + ok + " { name = A, session = local, run = \"echo\", after = [C] }\n { name = B, session = local, run = \"echo\", after = [A] }\n { name = C, session = local, run = \"echo\", after = [B] }\n]\n");
        Write("unknown-after.hocon", "tasks = [\n" + ok + " { name = A, session = local, run = \"echo\", after = [Z] }\n]\n");
        Write("empty.hocon", "tasks = [\n" + ok + " { name = A, session = local, run = \"\" }\n]\n");
        Write("duration.hocon", "tasks = [\n" + ok + " { name = A, session = local, run = \"echo\", timeout = -3s }\n]\n");
        Write("prot.hocon", "sessions {\n  web1 {\n    type = ssh\n    host = \"127.0.0.1\"\n    prot = 2242\n  }\n}\n");
        Write("identity.hocon", "sessions {\n  web1 { type = ssh, host = h, identity-file = \"~/.ssh/id\" }\n}\n");
        Write("hostt.hocon", "sessions {\n  web1 {\n    hostt = h\n    host = h\n    type = ssh\n  }\n}\n");
        Write("local-lots.hocon", "sessions {\n  l { type = local, max-channels = \"lots\" }\n}\n");
        Write("ssh-lots.hocon", "sessions {\n  web3 {\n    type = ssh\n    host = h\n    max-channels = \"lots\"\n  }\n}\n");
        Write("port-word.hocon", "sessions.w { type = ssh, host = h, port = ssh }\n");
        Write("ids-string.hocon", "sessions { w { type = ssh, host = h, identity-files = \"~/.ssh/id\" } }\n");
        Write("sesions.hocon", "sesions { l { type = local } }\n");
        Write("include.hocon", "include \"nothere.conf\"\nsessions { l { type = local } }\n");
        Write("no-tasks.hocon", "tasks = []\n");
        Write("empty-group.hocon", "groups { nobody = [] }\ntasks = [\n" + ok + " { name = A, group = nobody, run = \"touch MARKER\" }\n]\n");
        Write("task-typo.hocon", "tasks = [\n" + ok + " { name = A, session = local, run = \"echo\", afer = [OK] }\n]\n");
        Write("plan-typo.hocon", "task = [\n" + ok + "]\n");
        Write("hosts-port.txt", "# hosts\nlocal\nme@web1.example.com:99999\n");
        Write("hosts-words.txt", "web1.example.com me extra\n");
        Write("hosts-empty.txt", "# nothing here\n\n");
        Write("pairs.hocon", "sessions { a { type = local }, b { type = local } }\ngroups { both = [a, b] }\n");
        Write("combine.hocon", "tasks = [\n" + ok + " { name = A, session = local, run = \"echo\", combine-stderr = maybe }\n]\n");
    }
}
