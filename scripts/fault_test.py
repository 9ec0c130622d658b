"""kill -9 during `gapmap build` and during uploads; see scripts/fault-test."""
import hashlib, json, os, random, shutil, signal, socket, subprocess, sys, tempfile, time
import urllib.request

BIN, TRIALS, OUT = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
TOKEN = 'fault-test-token-0123456789abcdef'
rng = random.Random(int(os.environ.get('FAULT_SEED', '11')))


def free_port():
    s = socket.socket(); s.bind(('127.0.0.1', 0)); p = s.getsockname()[1]; s.close(); return p


def sha(path):
    return hashlib.sha256(open(path, 'rb').read()).hexdigest() if os.path.exists(path) else None


class Server:
    def __init__(self, project, snapshot):
        self.port = free_port()
        self.base = f'http://127.0.0.1:{self.port}'
        env = dict(os.environ, GAPMAP_TOKEN=TOKEN)
        self.proc = subprocess.Popen(
            [BIN, 'serve', '--quiet', '--offline', '--config', f'{project}/data/durham.toml',
             '--snapshot', snapshot, '--bind', f'127.0.0.1:{self.port}', '--web-dir', project, '--workers', '1'],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=project)
        line = self.proc.stdout.readline().decode()
        if 'serving' not in line:
            err = self.proc.stderr.read().decode()
            raise RuntimeError(f'server did not start: {line} {err}')

    def get(self, path):
        with urllib.request.urlopen(self.base + path, timeout=60) as r:
            return json.load(r)

    def dump(self):
        """Every indicator's full /api/values, canonical JSON, and its sha256."""
        out = {}
        for ind in self.get('/api/indicators'):
            out[ind['id']] = self.get(f"/api/values?indicator={ind['id']}")
        text = json.dumps(out, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest(), sorted(out)

    def upload(self, body):
        req = urllib.request.Request(self.base + '/api/indicators?file=fault.csv', data=body, method='POST',
                                     headers={'Authorization': f'Bearer {TOKEN}'})
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL); self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill9()


def project_dir(work):
    proj = os.path.join(work, 'proj')
    os.makedirs(os.path.join(proj, 'data'))
    for f in ['durham.toml', 'sources.toml']:
        shutil.copy(os.path.join(ROOT, 'data', f), os.path.join(proj, 'data', f))
    for d in ['localities', 'sites']:
        shutil.copytree(os.path.join(ROOT, 'data', d), os.path.join(proj, 'data', d))
    subprocess.run([BIN, 'fetch', '--quiet', '--config', f'{proj}/data/durham.toml', '--offline',
                    '--mirror', os.path.join(ROOT, '..', 'shared', 'data')], check=True, cwd=proj,
                   stdout=subprocess.DEVNULL)
    return proj


def build(proj):
    return subprocess.Popen([BIN, 'build', '--quiet', '--offline', '--config', f'{proj}/data/durham.toml'],
                            cwd=proj, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def tidy(codes, seed):
    lines = ['area_code,indicator_id,period,count,denominator']
    lines += [f'{c},fault-upload,2024/25,{10 + (i * seed) % 40},400' for i, c in enumerate(codes)]
    return ('\n'.join(lines) + '\n').encode()


def main():
    work = tempfile.mkdtemp(prefix='gapmap-fault-')
    results = {'trials_per_phase': TRIALS, 'build': [], 'upload': []}
    try:
        proj = project_dir(work)
        snap = os.path.join(proj, 'data/build/durham.snapshot')
        t0 = time.time(); b = build(proj); b.wait(); build_s = time.time() - t0
        assert b.returncode == 0, 'reference build failed'
        s = Server(proj, snap); reference, ids = s.dump(); s.stop()
        print(f'fault-test: reference build {build_s:.1f} s; {len(ids)} indicators; values sha256 {reference[:12]}')
        # Phase 1: kill -9 during builds. Every build of the same inputs serves the same values;
        # the snapshot must be the previous file or a complete new one (its checksum verifies).
        for t in range(TRIALS):
            before = sha(snap)
            delay = rng.uniform(0.05, build_s * 1.1)
            b = build(proj); time.sleep(delay)
            finished = b.poll() is not None
            b.send_signal(signal.SIGKILL); b.wait()
            after = sha(snap)
            try:
                s = Server(proj, snap); got, _ = s.dump(); s.stop(); ok = got == reference
            except Exception as e:  # noqa: BLE001 - any failure to serve is a failed trial
                got, ok = str(e), False
            kind = 'previous' if after == before else 'new'
            results['build'].append({'trial': t + 1, 'kill_after_s': round(delay, 3), 'build_finished': finished,
                                     'snapshot': kind, 'values_match': ok})
            print(f'fault-test: build  {t + 1:2d}/{TRIALS} kill at {delay:5.2f} s -> {kind} snapshot, values {"OK" if ok else "MISMATCH"}')
        # Phase 2: kill -9 during uploads. Dumps of the two possible states are known before
        # each trial: the state before it and the state after its upload completes.
        s = Server(proj, snap)
        codes = [a['code'] for a in s.get('/api/areas?level=msoa11')]
        bodies = [tidy(codes, k) for k in (3, 7)]
        expected = {}
        for k, body in enumerate(bodies):  # the state each body leads to, measured once
            t0 = time.time(); s.upload(body); upload_s = time.time() - t0
            expected[k] = s.dump()[0]
        current = expected[1]
        s.kill9()
        print(f'fault-test: upload takes {upload_s * 1000:.0f} ms')
        for t in range(TRIALS):
            k = t % 2
            s = Server(proj, snap)
            before, _ = s.dump()
            assert before == current, 'restart did not serve the state the last trial left'
            delay = rng.uniform(0, upload_s * 1.5)
            import threading
            th = threading.Thread(target=lambda: _try(s.upload, bodies[k]), daemon=True)
            th.start(); time.sleep(delay); s.kill9()
            try:
                s2 = Server(proj, snap); got, _ = s2.dump(); s2.stop()
            except Exception as e:  # noqa: BLE001
                got = str(e)
            state = 'previous' if got == before else 'new' if got == expected[k] else 'NEITHER'
            if state != 'NEITHER':
                current = got
            results['upload'].append({'trial': t + 1, 'kill_after_s': round(delay, 3), 'served': state})
            print(f'fault-test: upload {t + 1:2d}/{TRIALS} kill at {delay * 1000:5.0f} ms -> {state}')
    finally:
        shutil.rmtree(work, ignore_errors=True)
    passed = sum(r['values_match'] for r in results['build']) + sum(r['served'] != 'NEITHER' for r in results['upload'])
    results['passed'] = passed
    results['total'] = 2 * TRIALS
    json.dump(results, open(OUT, 'w'), indent=1)
    print(f'fault-test: {passed}/{2 * TRIALS} trials passed ({OUT})')
    sys.exit(0 if passed == 2 * TRIALS else 1)


def _try(f, *a):
    try:
        f(*a)
    except Exception:  # noqa: BLE001 - the server is killed mid-request on purpose
        pass


if __name__ == '__main__':
    main()
