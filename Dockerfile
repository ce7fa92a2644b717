# One environment for every platform: the grading image (docker run ... make batch)
# and the student's dev container (.devcontainer/devcontainer.json), on Debian.
# Everything comes from Debian's packages, through the kit's own install script.
#   docker build -t racecourse .
#   docker run --rm -v "$PWD/class:/class" racecourse make batch SUBS=/class OUT=/class/grades
# BASE: another Debian 12 image, e.g. one made with debootstrap where no registry is reachable.
ARG BASE=debian:bookworm
FROM ${BASE}

ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
# A compiler and make are all the install script assumes; git grades repositories.
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends gcc make libc6-dev git ca-certificates sudo \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /kit
# The install script first, alone: its layer is kept while the kit's files change.
COPY grader/install-deps.sh grader/install-deps.sh
RUN apt-get update -qq && sh grader/install-deps.sh grade && rm -rf /var/lib/apt/lists/*
COPY . .
RUN make -s && useradd --create-home --shell /bin/bash student

# A dev container opens the student's own copy of the kit at its workspace;
# the image's /kit is the grading copy.
CMD ["make", "grade"]
