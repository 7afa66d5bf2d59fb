#!/usr/bin/env bash
# Builds the custom training and inference images of containers/ and pushes them to their ECR repositories, tagged
# with the commit id. The image build CodeBuild project (lib/constructs/image-build.ts) runs it with:
#   BASE_IMAGE_URI            the SageMaker XGBoost 1.7-1 framework image of the region (FROM of both Dockerfiles)
#   TRAINING_REPOSITORY_URI   <account>.dkr.ecr.<region>.amazonaws.com/<repository>
#   INFERENCE_REPOSITORY_URI  the same for the inference image
# Optional: IMAGE_TAG (default: CODEBUILD_RESOLVED_SOURCE_VERSION, else `git rev-parse HEAD`), IMAGE_URIS_FILE
# (default image-uris.json: the pushed URIs, {"training": ..., "inference": ...}).
# A tag that is already in its repository is not rebuilt (the repositories' tags are immutable).
set -euo pipefail

: "${BASE_IMAGE_URI:?set BASE_IMAGE_URI to the framework image, e.g. 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1}"
: "${TRAINING_REPOSITORY_URI:?set TRAINING_REPOSITORY_URI to the training image repository URI}"
: "${INFERENCE_REPOSITORY_URI:?set INFERENCE_REPOSITORY_URI to the inference image repository URI}"
tag=${IMAGE_TAG:-${CODEBUILD_RESOLVED_SOURCE_VERSION:-$(git rev-parse HEAD)}}
uris_file=${IMAGE_URIS_FILE:-image-uris.json}

# <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag] -> its registry and region
registry_of() { echo "${1%%/*}"; }
region_of() { local host; host=$(registry_of "$1"); host=${host#*.dkr.ecr.}; echo "${host%%.amazonaws.com*}"; }

login() {
  local registry=$1
  aws ecr get-login-password --region "$(region_of "$registry/x")" | docker login --username AWS --password-stdin "$registry"
}

login "$(registry_of "$BASE_IMAGE_URI")"
login "$(registry_of "$TRAINING_REPOSITORY_URI")"
if [[ "$(registry_of "$INFERENCE_REPOSITORY_URI")" != "$(registry_of "$TRAINING_REPOSITORY_URI")" ]]; then
  login "$(registry_of "$INFERENCE_REPOSITORY_URI")"
fi

build_and_push() {
  local kind=$1 repository_uri=$2
  local image="$repository_uri:$tag" repository=${repository_uri#*/}
  if aws ecr describe-images --region "$(region_of "$repository_uri")" --repository-name "$repository" \
      --image-ids "imageTag=$tag" >/dev/null 2>&1; then
    echo "$kind image $image exists: not rebuilt"
    return
  fi
  DOCKER_BUILDKIT=1 docker build --build-arg "BASE_IMAGE=$BASE_IMAGE_URI" -f "containers/$kind/Dockerfile" -t "$image" .
  docker push "$image"
  echo "$kind image pushed: $image"
}

build_and_push training "$TRAINING_REPOSITORY_URI"
build_and_push inference "$INFERENCE_REPOSITORY_URI"

printf '{"training": "%s:%s", "inference": "%s:%s"}\n' "$TRAINING_REPOSITORY_URI" "$tag" "$INFERENCE_REPOSITORY_URI" "$tag" >"$uris_file"
echo "image URIs in $uris_file: $(cat "$uris_file")"
